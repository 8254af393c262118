// The simulated EC800 served on a real pseudo-terminal, in real time.
//
//   client program <-> /dev/pts/N (clientLink) <-socat-> /dev/pts/M (moduleLink)
//        <-> serialport in this process <-> UartLink (firmware side) <-> Ec800 model
//        -> SMTP engine (routed) -> embedded mail server or --smtp server
//
// The model runs on a VirtualClock driven in step with wall time (RealTimeDriver). The
// module keeps running while clients come and go: a client may close the device and
// open it again (socat keeps both PTYs); should socat die, a new pair is made on the same
// link names. Unlike a real UART, bytes the module writes while no client has the device
// open (RDY, URCs) are buffered by the pseudo-terminal and read by the next client.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SerialPort } from "serialport";
import { VirtualClock } from "../clock.js";
import { createSimulatedModem, type SimulatedModem } from "../index.js";
import { MailServer, type ReceivedMail } from "../mailserver/index.js";
import { createSmtpEngine } from "../smtp/engine.js";
import type { Scenario } from "../scenarios/scenario.js";
import { PtyPair } from "./pty.js";
import { RealTimeDriver } from "./realtime.js";
import { TraceRedactor } from "./trace.js";
import { RoutedSmtpEngine, type Route } from "./routed-smtp.js";
import type { SocketNetwork } from "../ec800/sockets/network.js";

export interface PtyModemOptions {
  /** Symlink for the client's device (default: <tmp>/ec800). */
  link?: string;
  scenario?: Scenario;
  /** Deliver to this server instead of starting the embedded one. */
  smtp?: { host: string; port: number };
  /** Where the embedded server stores .eml files. */
  mailDir?: string;
  /** Progress lines (device, mails, restarts). */
  log: (line: string) => void;
  /** Print UART traffic as it passes (escaped, with virtual time). */
  trace?: boolean;
  /** Power the module on at start (default true). */
  powerOn?: boolean;
}

export class PtyModemServer {
  readonly clock = new VirtualClock();
  readonly sim: SimulatedModem;
  readonly mailServers: { plain?: MailServer; implicit?: MailServer } = {};
  private pair!: PtyPair;
  private port: SerialPort | null = null;
  private driver: RealTimeDriver;
  private tmp: string;
  private toModule: Buffer[] = [];
  private stopped = false;
  private mailTimer: NodeJS.Timeout | null = null;
  private seen = new Set<string>();
  private trace: TraceRedactor | null = null;
  readonly clientLink: string;

  private constructor(private readonly opts: PtyModemOptions, smtpRoute: (s: import("../smtp/types.js").SmtpSession) => Route, network: SocketNetwork) {
    this.tmp = mkdtempSync(path.join(os.tmpdir(), "cellmail-pty-"));
    this.clientLink = opts.link ? path.resolve(opts.link) : path.join(this.tmp, "ec800");
    const engine = new RoutedSmtpEngine(createSmtpEngine({ timeoutCapMs: 120_000 }), smtpRoute, opts.trace ? opts.log : undefined);
    // The module's sockets (smtp.transport "socket") lead where its SMTP engine's mail goes.
    this.sim = createSimulatedModem({ clock: this.clock, smtp: engine, scenario: opts.scenario, modem: { network } });
    this.driver = new RealTimeDriver(this.clock, { onError: (e) => opts.log(`simulator error: ${(e as Error).stack ?? e}`) });
  }

  static async start(opts: PtyModemOptions): Promise<PtyModemServer> {
    const servers: { plain?: MailServer; implicit?: MailServer } = {};
    let route: (s: import("../smtp/types.js").SmtpSession) => Route;
    let network: SocketNetwork;
    if (opts.smtp) {
      const server = opts.smtp;
      route = () => ({ server });
      network = { to: () => ({ host: server.host, port: server.port }) };
    } else {
      const dir = opts.mailDir ?? mkdtempSync(path.join(os.tmpdir(), "cellmail-mail-"));
      mkdirSync(dir, { recursive: true });
      // Any account is accepted: the module's engine path drops it (dropAccount), the socket
      // transport (cellmail's own client) authenticates with the board's own.
      servers.plain = await MailServer.start({ tls: "starttls", dir, keepDir: true, anyAccount: true });
      servers.implicit = await MailServer.start({ tls: "implicit", dir, keepDir: true, credentials: servers.plain.credentials, anyAccount: true });
      const plain = servers.plain;
      const implicit = servers.implicit;
      route = (s) => ({ server: { host: "127.0.0.1", port: s.sslType === 1 ? implicit.port : plain.port }, dropAccount: true });
      network = { to: (_host, port) => ({ host: "127.0.0.1", port: port === 465 ? implicit.port : plain.port }), servername: "localhost" };
    }
    const self = new PtyModemServer(opts, route, network);
    Object.assign(self.mailServers, servers);
    try {
      await self.openPair();
    } catch (e) {
      await self.stop();
      throw e;
    }
    self.wire();
    if (opts.powerOn !== false) self.sim.powerOn();
    self.driver.start();
    if (servers.plain) self.mailTimer = setInterval(() => self.reportMails(), 200);
    return self;
  }

  /** The client's device, e.g. /dev/pts/5. */
  get device(): string {
    return this.pair.clientDevice;
  }

  get socatPid(): number | undefined {
    return this.pair?.pid;
  }

  /** The CA certificate (PEM) of the embedded servers, for clients that verify (seclevel 1). */
  get caPem(): string | undefined {
    return this.mailServers.plain?.caPem;
  }

  get mailDir(): string | undefined {
    return this.mailServers.plain?.dir;
  }

  private async openPair(): Promise<void> {
    this.pair = await PtyPair.open({
      clientLink: this.clientLink,
      moduleLink: path.join(this.tmp, "module"),
      onExit: (code, signal) => {
        if (this.stopped) return;
        this.opts.log(`socat exited (${code ?? signal}); making a new PTY pair on ${this.clientLink}`);
        void this.reopen();
      },
    });
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: this.pair.moduleDevice, baudRate: this.sim.modem.currentBaud || 115200 }, (err) =>
        err ? reject(err) : resolve(p),
      );
    });
    port.on("data", (chunk: Buffer) => {
      this.toModule.push(chunk);
      this.pump();
      this.driver.nudge();
    });
    port.on("error", (e: Error) => this.opts.log(`pty error: ${e.message}`));
    this.port = port;
  }

  private async reopen(): Promise<void> {
    const old = this.port;
    this.port = null;
    if (old && old.isOpen) await new Promise<void>((r) => old.close(() => r()));
    try {
      await this.openPair();
      this.opts.log(`device: ${this.pair.clientLink} -> ${this.pair.clientDevice}`);
    } catch (e) {
      this.opts.log(`could not make a new PTY pair: ${(e as Error).message}`);
    }
  }

  /** Connect the firmware side of the simulated UART to the PTY. */
  private wire(): void {
    this.sim.uart.attach({
      onBytes: (data, start, end) => {
        const chunk = Buffer.from(data.subarray(start, end));
        if (this.port && this.port.isOpen) this.port.write(chunk);
      },
      onWritable: () => this.pump(),
    });
    if (this.opts.trace) {
      const trace = (this.trace = new TraceRedactor(this.opts.log));
      this.sim.link.onTap((dir, t, bytes) => trace.bytes(dir === "toModule" ? ">" : "<", t, bytes));
      this.sim.link.onNote((t, text) => trace.note(t, text));
    }
  }

  /** Feed bytes from the client into the simulated UART, honouring its back-pressure. */
  private pump(): void {
    while (this.toModule.length > 0) {
      const head = this.toModule[0];
      const n = this.sim.uart.write(head, 0, head.length);
      if (n < head.length) {
        this.toModule[0] = head.subarray(n);
        return;
      }
      this.toModule.shift();
    }
  }

  private reportMails(): void {
    for (const s of [this.mailServers.plain, this.mailServers.implicit]) {
      if (!s) continue;
      for (const m of s.messages()) {
        if (this.seen.has(m.emlPath)) continue;
        this.seen.add(m.emlPath);
        this.opts.log(describeMail(m));
      }
    }
  }

  /** The UART transcript so far (credentials redacted). */
  transcript(): string {
    return this.sim.transcript.render();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.mailTimer) clearInterval(this.mailTimer);
    await this.driver.stop();
    this.trace?.close();
    const port = this.port;
    this.port = null;
    if (port && port.isOpen) await new Promise<void>((r) => port.close(() => r()));
    if (this.pair) await this.pair.close();
    this.reportMails();
    for (const s of [this.mailServers.plain, this.mailServers.implicit]) if (s) await s.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function describeMail(m: ReceivedMail): string {
  const to = m.to.map((a) => a.address).join(", ");
  const att = m.attachments.map((a) => `${a.filename ?? "?"} (${a.size} bytes)`).join(", ") || "none";
  return `mail arrived: From ${m.from?.address ?? "?"} To ${to} Subject ${JSON.stringify(m.subject)} (${m.raw.length} bytes, attachments: ${att}) -> ${m.emlPath}`;
}

/** Write text to a file, creating its directory. */
export function saveText(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
