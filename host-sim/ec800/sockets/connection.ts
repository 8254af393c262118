// One socket of the module (a connectID of AT+QIOPEN or a clientID of AT+QSSLOPEN) and the
// real TCP or TLS connection behind it, bridged onto the virtual clock.
//
// Virtual time (docs/sockets.md, "Radio round trip" and "Real I/O on the virtual clock"):
// - Opening costs the radio round trips of RADIO_TRIPS (DNS for a name, the TCP connect, a
//   TLS handshake for SSL); +QIOPEN/+QSSLOPEN is reported that long after the open began.
// - A reply of the server arrives one round trip after the client bytes it answers were
//   sent (the greeting: one round trip after the open is reported), plus a slow server's
//   delay. While the server owes a reply (SmtpTurns), the clock is held where the exchange
//   began, so nothing moves on until the real reply is in; then its delivery is scheduled.
//   When nothing is owed the clock runs freely. A reply that never comes releases the hold
//   after `realWaitMs` of real time (and is delivered late if it comes after all).
// - Bytes nobody asked for, and the peer's close, arrive half a round trip after now.
// Received bytes wait in the socket's buffer; "+QIURC: \"recv\",<id>" is reported when data
// arrives in an empty (fully read) buffer, never again until the buffer was read empty.
import net from "node:net";
import tls from "node:tls";
import type { Ec800 } from "../modem.js";
import { locate, isIpLiteral, type SocketNetwork } from "./network.js";
import { RADIO_TRIPS } from "./radio.js";
import { SmtpTurns } from "./smtp-turns.js";
import { SOCKET_ERR } from "./codes.js";
import type { SocketFamily } from "./family.js";
import type { SslContext } from "../state.js";

export type SocketState = "opening" | "open" | "peerClosed" | "closed";

/** SSL settings for AT+QSSLOPEN, from the AT+QSSLCFG context it names. */
export interface SslSettings {
  ctx: SslContext;
  /** The CA PEM read from the UFS file the context names (seclevel >= 1), if it exists. */
  caPem?: string;
}

export interface OpenRequest {
  family: SocketFamily;
  id: number;
  cid: number;
  host: string;
  port: number;
  ssl?: SslSettings;
}

/** Faults that apply to this connection (chosen when it opens). */
export interface ConnectionFaults {
  openErr?: number;
  peerCloseAfter?: number;
  slowMs: number;
}

interface Exchange {
  /** Replies still owed for it. */
  replies: number;
  /** Virtual time the client bytes left (or the open was reported, for the greeting). */
  at: number;
  release: () => void;
  timer: NodeJS.Timeout;
}

export class Connection {
  state: SocketState = "opening";
  readonly family: SocketFamily;
  readonly id: number;
  readonly cid: number;
  readonly host: string;
  readonly port: number;
  /** Bytes received and not read yet. */
  private rx: Buffer[] = [];
  private rxBytes = 0;
  totalReceived = 0;
  totalRead = 0;
  totalSent = 0;
  /** A recv URC was reported (or lost) and the buffer was not read empty since. */
  private notified = false;
  private socket: net.Socket | null = null;
  private readonly turns = new SmtpTurns();
  private exchanges: Exchange[] = [];
  /** Deliveries stay in order: none is scheduled before the last one. */
  private lastDeliveryAt = 0;
  private closedReported = false;
  /** The real connection was up (a close after that is the peer's). */
  private connected = false;
  /** Releases the clock held by an open still under way. */
  private openDone: (() => void) | null = null;

  constructor(
    private readonly m: Ec800,
    private readonly network: SocketNetwork,
    private readonly faults: ConnectionFaults,
    private readonly realWaitMs: number,
    req: OpenRequest,
  ) {
    this.family = req.family;
    this.id = req.id;
    this.cid = req.cid;
    this.host = req.host;
    this.port = req.port;
  }

  private get rtt(): number {
    return this.m.profile.radioRttMs;
  }

  private note(text: string): void {
    this.m.link.note(`module: ${this.family.kind} socket ${this.id}: ${text}`);
  }

  /** Start opening (after the OK of the open command); reports +QIOPEN/+QSSLOPEN later. */
  open(ssl: SslSettings | undefined): void {
    const t0 = this.m.clock.now();
    const named = !isIpLiteral(this.host);
    const dnsTrips = named ? RADIO_TRIPS.dns : 0;
    const connectTrips = dnsTrips + RADIO_TRIPS.connect;
    const tlsTrips = connectTrips + (ssl ? RADIO_TRIPS.tlsHandshake : 0);
    const report = (err: number, trips: number) => {
      // Nothing of this socket (a close, data) is reported before its open result.
      this.lastDeliveryAt = Math.max(this.lastDeliveryAt, t0 + trips * this.rtt);
      this.m.later(Math.max(0, t0 + trips * this.rtt - this.m.clock.now()), () => {
        if (this.state === "closed") return;
        if (err === 0) {
          if (this.state === "opening") this.state = "open";
        } else {
          this.state = "closed";
          // AT+QIGETERROR tells TCP failures; an SSL open failure leaves it as it was (a real EG800K).
          if (this.family.kind === "tcp") this.m.sockets.lastError = err;
        }
        this.note(err === 0 ? "open" : `open failed with ${err}`);
        this.m.urc(`${this.family.open}: ${this.id},${err}`, true);
        if (err !== 0) this.m.sockets.remove(this);
      });
    };
    if (this.faults.openErr !== undefined) {
      const dns = this.faults.openErr === SOCKET_ERR.DNS;
      this.note(`fault: open fails with ${this.faults.openErr}`);
      return report(this.faults.openErr, dns ? dnsTrips : connectTrips);
    }
    // Real I/O from here: the clock waits at t0 until the connection is up or has failed.
    const release = this.m.clock.hold(0);
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      this.openDone = null;
      clearTimeout(cap);
      release();
    };
    this.openDone = done;
    const cap = setTimeout(() => {
      if (this.state === "opening" && !this.connected) {
        this.note(`no connection within ${this.realWaitMs} ms of real time`);
        this.destroy();
        report(SOCKET_ERR.TIMEOUT, tlsTrips);
      }
      done();
    }, this.realWaitMs);
    const epoch = this.m.epochNow;
    locate(this.network, this.host, this.port).then(
      (ep) => {
        if (epoch !== this.m.epochNow || this.state !== "opening") return done();
        // The real endpoint (an ephemeral port) stays out of the transcript: runs must compare.
        this.note(`connecting to ${this.host}:${this.port}${ssl ? " with TLS" : ""}`);
        const socket = ssl ? this.connectTls(ep.address, ep.port, ep.servername, ssl) : net.connect({ host: ep.address, port: ep.port });
        this.socket = socket;
        let up = false;
        socket.once(ssl ? "secureConnect" : "connect", () => {
          up = true;
          this.connected = true;
          if (epoch !== this.m.epochNow || this.state !== "opening") return done();
          // The greeting is owed from the moment the open is reported; its hold takes over.
          this.owe(1, t0 + tlsTrips * this.rtt, "greeting");
          report(SOCKET_ERR.OK, tlsTrips);
          done();
        });
        socket.on("data", (chunk: Buffer) => this.onData(chunk, epoch));
        socket.on("error", (e: Error) => {
          if (!up && this.state === "opening") {
            this.note(`connect failed: ${(e as NodeJS.ErrnoException).code ?? (ssl ? "TLS handshake or certificate" : "error")}`);
            const handshake = ssl && (e as NodeJS.ErrnoException).code !== "ECONNREFUSED";
            report(SOCKET_ERR.CONNECT, handshake ? tlsTrips : connectTrips);
            done();
          }
        });
        socket.on("close", () => this.onPeerClose(epoch));
      },
      (e: NodeJS.ErrnoException) => {
        if (epoch !== this.m.epochNow || this.state !== "opening") return done();
        this.note(`DNS lookup of ${this.host} failed: ${e.code ?? e.message}`);
        report(SOCKET_ERR.DNS, dnsTrips);
        done();
      },
    );
  }

  /** TLS as the SSL context says (the SMTP engine's rules: seclevel 0 trusts any certificate,
   * 1 and 2 only the uploaded CA, with the host name checked; sni sends the name). */
  private connectTls(address: string, port: number, servername: string, ssl: SslSettings): tls.TLSSocket {
    const opts: tls.ConnectionOptions = { host: address, port };
    if (ssl.ctx.seclevel >= 1) {
      opts.rejectUnauthorized = true;
      opts.ca = ssl.caPem ? [ssl.caPem] : [];
      opts.checkServerIdentity = (_h, cert) => tls.checkServerIdentity(servername, cert);
    } else opts.rejectUnauthorized = false;
    if (ssl.ctx.sni === 1 && !isIpLiteral(servername)) opts.servername = servername;
    return tls.connect(opts);
  }

  /** The server owes `replies` replies to bytes that left at virtual time `at`: hold the clock until they are in. */
  private owe(replies: number, at: number, what: string): void {
    if (replies === 0) return;
    if (what === "greeting") this.turns.expectGreeting();
    const ex: Exchange = {
      replies,
      at,
      release: this.m.clock.hold(0),
      timer: setTimeout(() => {
        this.note(`the server owes ${ex.replies} repl${ex.replies === 1 ? "y" : "ies"} after ${this.realWaitMs} ms of real time; the clock goes on`);
        ex.release();
      }, this.realWaitMs),
    };
    this.exchanges.push(ex);
  }

  private settle(ex: Exchange): void {
    clearTimeout(ex.timer);
    ex.release();
  }

  private releaseAll(): void {
    for (const ex of this.exchanges) this.settle(ex);
    this.exchanges = [];
    if (this.openDone) this.openDone();
  }

  /** Server bytes: each part goes to the exchange it answers and is delivered when that reply reaches the module. */
  private onData(chunk: Buffer, epoch: number): void {
    if (epoch !== this.m.epochNow || this.state === "closed") return;
    const ends = this.turns.server(chunk);
    let from = 0;
    const now = this.m.clock.now();
    for (const end of ends) {
      const head = this.exchanges[0];
      this.schedule(chunk.subarray(from, end), head ? head.at + this.rtt + this.faults.slowMs : now + this.rtt / 2);
      from = end;
      if (head && --head.replies === 0) {
        this.exchanges.shift();
        this.settle(head);
      }
    }
    if (from < chunk.length) {
      const head = this.exchanges[0];
      this.schedule(chunk.subarray(from), head ? head.at + this.rtt + this.faults.slowMs : now + this.rtt / 2);
    }
  }

  private schedule(bytes: Buffer, at: number): void {
    if (bytes.length === 0) return;
    const when = Math.max(at, this.lastDeliveryAt, this.m.clock.now());
    this.lastDeliveryAt = when;
    const copy = Buffer.from(bytes);
    this.m.later(when - this.m.clock.now(), () => this.deliver(copy));
  }

  private deliver(bytes: Buffer): void {
    if (this.state === "closed") return;
    this.rx.push(bytes);
    this.rxBytes += bytes.length;
    this.totalReceived += bytes.length;
    if (!this.notified) {
      this.notified = true;
      this.m.urc(`${this.family.urc}: "recv",${this.id}`, true);
    }
  }

  private onPeerClose(epoch: number): void {
    if (epoch !== this.m.epochNow) return;
    this.releaseAll();
    if (!this.connected || this.state === "closed") return;
    this.state = "peerClosed";
    this.reportClosed();
  }

  /** "+QIURC: \"closed\",<id>" once, after every byte already on its way. */
  private reportClosed(): void {
    if (this.closedReported) return;
    this.closedReported = true;
    const when = Math.max(this.lastDeliveryAt, this.m.clock.now() + this.rtt / 2);
    this.m.later(when - this.m.clock.now(), () => {
      if (this.state === "closed") return;
      this.note("closed by the peer");
      this.m.urc(`${this.family.urc}: "closed",${this.id}`, true);
    });
  }

  /** AT+QISEND data (exactly the announced bytes): "ok", or "error" when the socket is not connected. */
  send(bytes: Uint8Array): "ok" | "error" {
    if (this.state !== "open" || !this.socket) return "error";
    let data = bytes;
    let closeNow = false;
    const at = this.m.clock.now();
    const limit = this.faults.peerCloseAfter;
    const r = this.turns.client(bytes, limit === undefined ? undefined : (n) => n >= limit);
    if (r.consumed < bytes.length || (limit !== undefined && this.turns.contentBytes >= limit)) {
      data = bytes.subarray(0, r.consumed);
      closeNow = true;
    }
    this.totalSent += bytes.length;
    this.socket.write(Buffer.from(data));
    if (closeNow) {
      this.note(`fault: the peer closes after ${limit} bytes of message content`);
      this.destroy();
      this.state = "peerClosed";
      this.releaseAll();
      this.reportClosed();
      return "ok";
    }
    this.owe(r.owed, at, "reply");
    return "ok";
  }

  /** AT+QIRD / AT+QSSLRECV: up to `max` buffered bytes (an empty read re-arms the recv URC). */
  read(max: number): Buffer {
    const out: Buffer[] = [];
    let n = 0;
    while (this.rx.length > 0 && n < max) {
      const head = this.rx[0];
      const take = Math.min(head.length, max - n);
      out.push(head.subarray(0, take));
      n += take;
      if (take === head.length) this.rx.shift();
      else this.rx[0] = head.subarray(take);
    }
    this.rxBytes -= n;
    this.totalRead += n;
    if (this.rxBytes === 0) this.notified = false;
    return Buffer.concat(out);
  }

  get unread(): number {
    return this.rxBytes;
  }

  /** AT+QICLOSE, a reboot, a PDP deactivation: the real connection goes, nothing more is reported. */
  close(): void {
    this.state = "closed";
    this.releaseAll();
    this.destroy();
  }

  /** The network took the connection away: true when it was up (the caller reports "closed"). */
  lose(): boolean {
    this.releaseAll();
    this.destroy();
    const wasUp = this.state === "open" && !this.closedReported;
    if (this.state === "open" || this.state === "opening") this.state = this.state === "open" ? "peerClosed" : "closed";
    this.closedReported = true;
    return wasUp;
  }

  private destroy(): void {
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.removeAllListeners("data");
      s.on("error", () => undefined);
      s.destroy();
    }
  }
}
