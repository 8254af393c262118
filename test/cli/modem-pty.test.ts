// `cellmail modem --pty` end to end: the CLI serves the simulated EC800 on a real
// pseudo-terminal; a client opens the printed device with `serialport`, talks AT, closes
// and reopens it, and the module keeps answering. With --trace, credentials are
// redacted in the printed traffic. Needs socat (scripts/ensure-system-deps.mjs).
import { existsSync } from "node:fs";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import { killAll, startCli, tempDir, type Running } from "./support.js";

// `npm test` installs socat first (scripts/ensure-system-deps.mjs). A bare `vitest run` on a
// machine without it skips this file; under CI it must run, so a missing socat fails there.
const HAVE_SOCAT = existsSync("/usr/bin/socat") || !!process.env.CI;

function open(device: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path: device, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
  });
}

function close(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

/** Send `line` (CR added) until the reply contains `want`; the module may still be booting. */
async function command(port: SerialPort, line: string, want: RegExp, attempts = 40): Promise<string> {
  let rx = "";
  const onData = (d: Buffer) => (rx += d.toString("latin1"));
  port.on("data", onData);
  try {
    for (let i = 0; i < attempts; i++) {
      rx = "";
      port.write(line + "\r");
      for (let w = 0; w < 50 && !want.test(rx); w++) await new Promise((r) => setTimeout(r, 10));
      if (want.test(rx)) return rx;
    }
    throw new Error(`no ${want} for ${JSON.stringify(line)}; last reply ${JSON.stringify(rx)}`);
  } finally {
    port.off("data", onData);
  }
}

describe.skipIf(!HAVE_SOCAT)("cellmail modem --pty", () => {
  let dir: string;
  let server: Running;
  let link: string;
  let device: string;
  let socatPid = 0;

  beforeAll(async () => {
    dir = tempDir();
    link = path.join(dir, "ec800");
    server = startCli(["modem", "--pty", "--link", link, "--trace"], dir);
    const m = await server.waitFor(/^device: (\S+) -> (\S+)$/m);
    device = m[2];
    socatPid = Number((await server.waitFor(/socat \(pid (\d+)\)/))[1]);
    await server.waitFor(/^baud: /m);
  });

  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
    if (socatPid > 0) {
      try {
        process.kill(socatPid, "SIGKILL"); // only if the CLI could not stop it
      } catch {
        /* already gone */
      }
    }
  });

  it("prints the device path and its link", () => {
    expect(device).toMatch(/^\/dev\/pts\/\d+$/);
    expect(existsSync(link)).toBe(true);
    expect(server.stdout()).toMatch(/embedded mail server on 127\.0\.0\.1:\d+/);
  });

  it("answers AT with OK, and again after the client closed and reopened the device", async () => {
    const first = await open(link);
    expect(await command(first, "AT", /\r\nOK\r\n/)).toContain("OK");
    await close(first);

    const second = await open(link);
    expect(await command(second, "AT", /\r\nOK\r\n/, 5)).toContain("OK");
    expect(await command(second, "AT+CSQ", /\+CSQ: \d+,\d+[\s\S]*OK\r\n/, 5)).toMatch(/\+CSQ:/);
    await close(second);

    const third = await open(device); // the real device path works as well as the link
    expect(await command(third, "ATI", /OK\r\n/, 5)).toContain("OK");
    await close(third);
  });

  it("redacts the SMTP password in the printed trace", async () => {
    const port = await open(link);
    await command(port, 'AT+QSMTPCFG="account","alarm@example.com","Pa55-w0rd-xyz"', /OK\r\n|ERROR/, 5);
    await close(port);
    await server.waitFor(/QSMTPCFG="account","alarm@example.com","\*\*\*"/);
    await new Promise((r) => setTimeout(r, 200));
    expect(server.stdout()).not.toContain("Pa55-w0rd-xyz");
  });

  it("stops on SIGTERM and removes its link", async () => {
    server.child.kill("SIGTERM");
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(existsSync(link)).toBe(false);
    expect(() => process.kill(socatPid, 0)).toThrow();
  });
});
