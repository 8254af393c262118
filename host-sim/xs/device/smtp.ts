// XS entry: cellmail's own SMTP client and MIME writer (firmware/ext/smtp) inside real XS,
// their byte stream carried by the host to a real SMTP server (bench/xs-socket-mail.ts).
// It measures the socket path's part of the device (client, MIME writer, validation of the
// job); the EC800 socket driver that carries the bytes on a board is not in it.
//
// Messages from the host (handleCommand), first byte:
//   'S' + job JSON    validate the job, start the client (the server's greeting follows)
//   'B' + bytes       bytes from the server (a QIRD chunk)
//   'W'               the last write was taken (SEND OK)
//   'C'               the server closed the connection
//   'T' + u32 id      timer `id` fired
//   'G'               gc()
// To the host (issueCommand), first byte:
//   'w' u16 start u16 end, then the client's buffer itself (its ArrayBuffer, not a copy)
//   't' u32 id u32 ms / 'c' u32 id   arm / clear a timer
//   'x'               close the connection
//   'd' + JSON        the outcome ({"error": null} when delivered)
import type { Clock, TimerHandle } from "../../../firmware/platform/types.js";
import type { ByteStream } from "../../../firmware/modem/stream.js";
import { SocketMailer } from "../../../firmware/ext/smtp/mailer.js";
import { isMailError, type SocketMailJob, type Sender } from "../../../firmware/ext/smtp/mail.js";
import { utf8Bytes } from "../../../firmware/text/utf8.js";
import { messageText } from "./bridge.js";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
declare function gc(): void;

const SLOTS = 16;

class HostClock implements Clock {
  private fires: Array<(() => void) | null> = [];
  private readonly msg = new Uint8Array(9);
  private serial = 0;
  constructor() {
    for (let i = 0; i < SLOTS; i++) this.fires.push(null);
  }
  now(): number {
    return 0;
  }
  setTimer(ms: number, fire: () => void): TimerHandle {
    let slot = 0;
    while (slot < SLOTS && this.fires[slot] !== null) slot++;
    if (slot === SLOTS) throw new Error("xs smtp entry: out of timer slots");
    this.fires[slot] = fire;
    this.serial = (this.serial + 1) & 0xffffff;
    const id = this.serial * SLOTS + slot;
    this.send(116, id, ms); // 't'
    return id;
  }
  clearTimer(handle: TimerHandle): void {
    if (handle === null || handle === undefined) return;
    const id = handle as number;
    this.fires[id % SLOTS] = null;
    this.send(99, id, 0); // 'c'
  }
  fire(id: number): void {
    const slot = id % SLOTS;
    const f = this.fires[slot];
    this.fires[slot] = null;
    if (f) f();
  }
  private send(op: number, id: number, ms: number): void {
    const m = this.msg;
    m[0] = op;
    put32(m, 1, id);
    put32(m, 5, ms);
    issueCommand(m.buffer as ArrayBuffer);
  }
}

class HostStream implements ByteStream {
  readonly maxWrite = 1460;
  private readonly head = new Uint8Array(5);
  private readonly bye = new Uint8Array(1);
  write(data: Uint8Array, start: number, end: number): void {
    const h = this.head;
    h[0] = 119; // 'w'
    h[1] = start >> 8;
    h[2] = start & 255;
    h[3] = end >> 8;
    h[4] = end & 255;
    issueCommand(h.buffer as ArrayBuffer);
    issueCommand(data.buffer as ArrayBuffer);
  }
  close(): void {
    this.bye[0] = 120; // 'x'
    issueCommand(this.bye.buffer as ArrayBuffer);
  }
}

function put32(m: Uint8Array, at: number, v: number): void {
  m[at] = (v >>> 24) & 255;
  m[at + 1] = (v >>> 16) & 255;
  m[at + 2] = (v >>> 8) & 255;
  m[at + 3] = v & 255;
}

function get32(m: Uint8Array, at: number): number {
  return ((m[at] << 24) >>> 0) + (m[at + 1] << 16) + (m[at + 2] << 8) + m[at + 3];
}

interface StartSpec {
  job: SocketMailJob;
  sender: Sender;
  date: number;
  user: string;
  password: string;
}

let clock: HostClock | null = null;
let mailer: SocketMailer | null = null;
let stream: HostStream | null = null;

function report(value: unknown): void {
  const json = utf8Bytes(JSON.stringify(value));
  const m = new Uint8Array(1 + json.length);
  m[0] = 100; // 'd'
  m.set(json, 1);
  issueCommand(m.buffer as ArrayBuffer);
}

function start(spec: StartSpec): void {
  if (clock === null) {
    clock = new HostClock();
    stream = new HostStream();
    mailer = new SocketMailer({ clock, user: spec.user, password: spec.password, heloName: "board.cellmail.test" });
  }
  const m = mailer as SocketMailer;
  const mail = m.prepare(spec.job, spec.sender, spec.date);
  if (isMailError(mail)) {
    report({ error: mail, refused: true });
    return;
  }
  m.send(stream as HostStream, mail, (error) => report({ error: error, roundTrips: m.roundTrips }));
}

function handleCommand(message: ArrayBuffer): ArrayBuffer | undefined {
  const u = new Uint8Array(message);
  switch (u[0]) {
    case 83: // 'S'
      start(JSON.parse(messageText(u, 1)) as StartSpec); // as the core's bridge decodes a job (bridge.ts)
      break;
    case 66: // 'B'
      if (mailer) mailer.sink.onBytes(u, 1, u.length);
      break;
    case 87: // 'W'
      if (mailer) mailer.sink.onSent();
      break;
    case 67: // 'C'
      if (mailer) mailer.sink.onClosed(null);
      break;
    case 84: // 'T'
      if (clock) clock.fire(get32(u, 1));
      break;
    case 71: // 'G'
      gc();
      break;
  }
  return undefined;
}

(globalThis as unknown as { handleCommand: typeof handleCommand }).handleCommand = handleCommand;
