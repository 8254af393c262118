// Helpers for the CLI tests: run `bin/cellmail.mjs` as a child process (in a temp
// working directory, so `.cellmail/` output stays out of the repo), read its output line
// by line, and make sure every child is gone at the end (killAll in afterAll); or run a
// command's function in this process with its output captured.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(ROOT, "bin/cellmail.mjs");

const children = new Set<ChildProcess>();

export function tempDir(prefix = "cellmail-cli-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Running {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout (rejects if the process exits first or after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], cwd: string): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  children.add(child);
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );
  const waitFor = (re: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(re);
        if (m) {
          done();
          resolve(m);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`process exited before ${re}: stdout=${out} stderr=${err}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${re}: stdout=${out} stderr=${err}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Run to completion. */
export async function runCli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startCli(args, cwd);
  const { code } = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** A board's configuration as its owner writes it (docs/configuration.md), for the flash commands. */
export const BOARD_CONFIG = {
  board: "pump-house-3",
  smtp: { provider: "tencent", region: "hongkong", user: "alarm@example.com", password: "s3cret-pw" },
  sender: { name: "Pump house 3", address: "alarm@example.com" },
  recipients: { to: ["ops@example.com"] },
  network: { apn: "cmnet" },
  alarm: { inputs: [{ key: "leak", title: "Water leak", pin: 4, activeLevel: 0 }] },
};

/** Run a command's function in this process: its status and what it wrote to stdout and stderr. */
export async function captured(run: () => Promise<number>): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  try {
    const status = await run();
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The last non-empty line of the output, parsed as JSON. */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** SIGTERM every child still running, SIGKILL after a grace period. */
export async function killAll(graceMs = 5000): Promise<void> {
  await Promise.all(
    Array.from(children).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
          c.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
          c.kill("SIGTERM");
        }),
    ),
  );
  children.clear();
}
