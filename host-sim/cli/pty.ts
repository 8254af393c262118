// A pseudo-terminal pair made by socat (Node has no openpty): one end for the client
// (any program that wants to talk to "a module"), one end that the simulator opens.
//
//   socat -d -d pty,raw,echo=0,link=<client> pty,raw,echo=0,link=<module>
//
// socat prints "PTY is /dev/pts/N" for each end; we wait for "starting data transfer
// loop" before using them. socat copies bytes both ways and survives the client
// closing and reopening its end. Should socat die anyway, `onExit` tells the owner,
// which can make a new pair on the same link names.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, realpathSync, unlinkSync } from "node:fs";
import { dieWithParent } from "../die-with-parent.js";

export const SOCAT = "/usr/bin/socat";

export interface PtyPairOptions {
  /** Symlink for the client's end. */
  clientLink: string;
  /** Symlink for the simulator's end. */
  moduleLink: string;
  /** socat binary (default /usr/bin/socat, else `socat` on PATH). */
  socat?: string;
  /** Called when socat exits unexpectedly (not through close()). */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, stderr: string) => void;
  /** Start-up timeout in ms (default 10000). */
  timeoutMs?: number;
}

export class PtyPair {
  private closing = false;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    /** The client's end: the real device (/dev/pts/N) and its symlink. */
    readonly clientDevice: string,
    readonly clientLink: string,
    readonly moduleDevice: string,
    readonly moduleLink: string,
  ) {
    child.once("exit", () => {
      this.exited = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static open(options: PtyPairOptions): Promise<PtyPair> {
    const bin = options.socat ?? (existsSync(SOCAT) ? SOCAT : "socat");
    for (const l of [options.clientLink, options.moduleLink]) removeStaleLink(l);
    const args = ["-d", "-d", `pty,raw,echo=0,link=${options.clientLink}`, `pty,raw,echo=0,link=${options.moduleLink}`];
    // socat goes with the modem that opened it; a socat looked up on PATH is started as it is,
    // so that a missing one is still spawn's ENOENT (the message below).
    const [cmd, all] = existsSync(bin) ? dieWithParent(bin, args) : [bin, args];
    const child = spawn(cmd, all, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let pair: PtyPair | undefined;
    return new Promise<PtyPair>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGTERM");
        reject(new Error(`socat did not start within ${options.timeoutMs ?? 10000} ms: ${stderr.trim()}`));
      }, options.timeoutMs ?? 10000);
      child.once("error", (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          e.code === "ENOENT"
            ? new Error("socat is not installed: run `node scripts/ensure-system-deps.mjs` (or `apt-get install socat`)")
            : e,
        );
      });
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (s: string) => {
        stderr += s;
        if (stderr.length > 20000) stderr = stderr.slice(-10000);
        if (!pair && /starting data transfer loop/.test(stderr)) {
          clearTimeout(timer);
          const ptys = Array.from(stderr.matchAll(/PTY is (\S+)/g)).map((m) => m[1]);
          const client = ptys[0] ?? safeRealpath(options.clientLink);
          const mod = ptys[1] ?? safeRealpath(options.moduleLink);
          pair = new PtyPair(child, client, options.clientLink, mod, options.moduleLink);
          resolve(pair);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (!pair) reject(new Error(`socat exited (${code ?? signal}) before the PTYs were ready: ${stderr.trim()}`));
        else if (!pair.closing) options.onExit?.(code, signal, stderr);
      });
    });
  }

  /** Stop socat and remove the links. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.exited) {
      const gone = new Promise<void>((r) => this.child.once("exit", () => r()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      await gone;
      clearTimeout(timer);
    }
    for (const l of [this.clientLink, this.moduleLink]) removeStaleLink(l);
  }
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Remove a leftover symlink (never a regular file or directory). */
function removeStaleLink(p: string): void {
  try {
    if (lstatSync(p).isSymbolicLink()) unlinkSync(p);
  } catch {
    /* absent */
  }
}
