// Test helper: speak to the EC800 model's socket commands over its virtual UART, byte by
// byte as a firmware would, and hold an SMTP conversation by hand through them. Output is
// read with a cursor (nothing is skipped silently); URCs are counted over everything received.
import { afterAll, beforeAll, expect } from "vitest";
import { makeHarness, type Harness } from "./harness.js";
import { FaultPlan, type FaultSpec } from "../../host-sim/ec800/faults.js";
import { MailServer, makeServerCredentials, type TlsCredentials } from "../../host-sim/mailserver/index.js";
import type { Ec800Options } from "../../host-sim/ec800/modem.js";
import { SSL, TCP, type SocketFamily } from "../../host-sim/ec800/sockets/family.js";

export const SERVER_NAME = "smtp.cellmail.test";
export const USER = "alarm@cellmail.test";
export const PASSWORD = "sim-Secret-42";

/** Embedded SMTP servers for a test file (AUTH with USER/PASSWORD unless `auth` is false), closed after it. */
export function serverPool(): (tls?: "none" | "implicit" | "starttls", auth?: boolean) => Promise<MailServer> {
  let creds: TlsCredentials;
  const started: MailServer[] = [];
  beforeAll(async () => {
    creds = await makeServerCredentials(["localhost", "127.0.0.1", "::1"]);
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.close()));
  });
  return async (tls = "none", auth = true) => {
    const s = await MailServer.start({ credentials: creds, tls, auth: auth ? { user: USER, password: PASSWORD } : undefined, greetAtOnce: true });
    started.push(s);
    return s;
  };
}
export const FINAL = /\r\n(OK|ERROR|SEND OK|SEND FAIL|\+CME ERROR: [^\r]*)\r\n/;

export class Wire {
  pos = 0;
  constructor(readonly h: Harness) {}

  get unread(): string {
    return this.h.rx().slice(this.pos);
  }

  /** How often `text` occurs in everything received so far. */
  count(text: string): number {
    return this.h.rx().split(text).length - 1;
  }

  /** Run until `re` matches the unread output; consume through the match. */
  async expect(re: RegExp, maxMs = 300_000): Promise<RegExpExecArray> {
    let m: RegExpExecArray | null = null;
    await this.h.clock.run({ until: () => (m = re.exec(this.unread)) !== null, forMs: maxMs });
    if (!m) throw new Error(`${re} not received; unread: ${JSON.stringify(this.unread)}`);
    const found = m as RegExpExecArray;
    this.pos += found.index + found[0].length;
    return found;
  }

  /** Run until `text` has occurred `n` times in everything received (URCs, whatever the cursor). */
  async until(text: string, n: number, maxMs = 300_000): Promise<void> {
    await this.h.clock.run({ until: () => this.count(text) >= n, forMs: maxMs });
    if (this.count(text) < n) throw new Error(`"${text}" seen ${this.count(text)} times, wanted ${n}`);
  }

  /** Send a command line; return everything up to and including its final result. */
  async cmd(line: string, final: RegExp = FINAL): Promise<string> {
    const start = this.pos;
    await this.h.write(line + "\r");
    await this.expect(final);
    return this.h.rx().slice(start, this.pos);
  }
}

/** A module with its PDP context up, URCs on the UART, echo off, and the given network and faults. */
export async function socketModule(opts: { server?: MailServer; faults?: FaultSpec[]; modem?: Partial<Ec800Options>; qisde?: 0 | 1 } = {}): Promise<Wire> {
  const routes: Record<string, { host: string; port: number }> = opts.server ? { [SERVER_NAME]: { host: opts.server.host, port: opts.server.port } } : {};
  const h = await makeHarness({
    modem: { urcPort: "uart1", network: { routes, servername: "localhost" }, faults: new FaultPlan(opts.faults ?? []), ...(opts.modem ?? {}) },
  });
  const w = new Wire(h);
  w.pos = h.rx().length;
  await w.cmd("ATE0");
  await w.cmd("AT+CMEE=1");
  if (opts.qisde !== undefined) await w.cmd(`AT+QISDE=${opts.qisde}`);
  await w.cmd('AT+QICSGP=1,1,"internet","","",1');
  expect(await w.cmd("AT+QIACT=1")).toBe("\r\nOK\r\n");
  return w;
}

/** One socket driven by hand: open, send, read, close, and SMTP replies read whole. */
export class AtSocket {
  /** Bytes read from the socket and not yet taken as a reply. */
  private inbox = "";
  private recvSeen = 0;

  constructor(
    readonly w: Wire,
    readonly family: SocketFamily = TCP,
    readonly id = 0,
  ) {}

  get recvUrc(): string {
    return `${this.family.urc}: "recv",${this.id}\r\n`;
  }

  /** Open; returns the <err> of the open URC. */
  async open(host: string, port: number, sslctx = 1): Promise<number> {
    const cmd = this.family === SSL ? `AT+QSSLOPEN=1,${sslctx},${this.id},"${host}",${port},0` : `AT+QIOPEN=1,${this.id},"TCP","${host}",${port},0,0`;
    expect(await this.w.cmd(cmd)).toBe("\r\nOK\r\n");
    const m = await this.w.expect(new RegExp(`\\r\\n\\${this.family.open}: ${this.id},(\\d+)\\r\\n`));
    return Number(m[1]);
  }

  /** AT+QISEND=<id>,<n> and exactly n bytes; returns the result word. */
  async send(data: string): Promise<string> {
    await this.w.h.write(`AT${this.family.send}=${this.id},${Buffer.byteLength(data, "latin1")}\r`);
    const p = await this.w.expect(/\r\n> |\r\nERROR\r\n|\r\n\+CME ERROR: \d+\r\n/);
    if (p[0] !== "\r\n> ") return p[0].trim();
    await this.w.h.write(Buffer.from(data, "latin1"));
    const r = await this.w.expect(/\r\n(SEND OK|SEND FAIL|ERROR)\r\n/);
    return r[1];
  }

  /** Send text in pieces of at most 1460 bytes. */
  async sendAll(data: string): Promise<void> {
    for (let i = 0; i < data.length; i += 1460) expect(await this.send(data.slice(i, i + 1460))).toBe("SEND OK");
  }

  /** One AT+QIRD / AT+QSSLRECV: the bytes it returned. */
  async read(max = 1500): Promise<string> {
    await this.w.h.write(`AT${this.family.read}=${this.id},${max}\r`);
    const head = await this.w.expect(new RegExp(`\\r\\n\\${this.family.read}: (\\d+)\\r\\n`));
    const n = Number(head[1]);
    await this.w.h.clock.run({ until: () => this.w.unread.length >= n + (n > 0 ? 8 : 6), forMs: 60_000 });
    const data = this.w.unread.slice(0, n);
    const tail = this.w.unread.slice(n, n + (n > 0 ? 8 : 6));
    expect(tail).toBe(n > 0 ? "\r\n\r\nOK\r\n" : "\r\nOK\r\n");
    this.w.pos += n + tail.length;
    return data;
  }

  /** Read until the buffer is empty. */
  async drain(): Promise<string> {
    let all = "";
    for (;;) {
      const d = await this.read();
      if (d === "") return all;
      all += d;
    }
  }

  /** The next whole SMTP reply: waits for a recv URC when the buffer has nothing more. */
  async reply(poll = false): Promise<string> {
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.inbox);
      if (m) {
        this.inbox = this.inbox.slice(m[0].length);
        return m[0];
      }
      if (!poll) {
        await this.w.until(this.recvUrc, this.recvSeen + 1);
        this.recvSeen = this.w.count(this.recvUrc);
      } else await this.w.h.clock.run({ forMs: 1000 });
      this.inbox += await this.drain();
    }
  }

  /** Send a command line and return its reply's code. */
  async smtp(line: string): Promise<string> {
    expect(await this.send(line + "\r\n")).toBe("SEND OK");
    return (await this.reply()).slice(0, 3);
  }
}
