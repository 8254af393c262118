// A session against a real module on a serial port (`cellmail send`): the same
// Cellmail composition a board runs, on the Node platform adapters (real time,
// serialport), with both directions of the UART recorded in the transcript format so
// a field log can later be replayed (`cellmail replay`).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cellmail } from "../../firmware/app/cellmail.js";
import { bytesSource } from "../../firmware/at/source.js";
import { loadDevice } from "../../firmware/ext/validate/device.js";
import type { ConfigError } from "../../firmware/ext/validate/validate.js";
import { LOG_DEBUG, LOG_WARN, type Uart, type UartSink } from "../../firmware/platform/types.js";
import { NodeClock } from "../../firmware/platform/node/clock.js";
import { SerialPortUart } from "../../firmware/platform/node/serial.js";
import { FileStore } from "../../firmware/platform/node/store.js";
import { TranscriptRecorder } from "../transcript/recorder.js";
import { causeName } from "./causes.js";
import { EVERY_MODULE, outcomeOf } from "./node-firmware.js";
import { carried } from "./carried.js";
import { COMPOSITIONS } from "./compositions.js";
import type { SessionEvent } from "./types.js";

/** Records every byte crossing a Uart, in both directions, with the clock's time. */
export class TappedUart implements Uart {
  constructor(
    private inner: Uart,
    private now: () => number,
    private recorder: TranscriptRecorder,
  ) {}

  attach(sink: UartSink): void {
    this.inner.attach({
      onBytes: (data, start, end) => {
        this.recorder.bytes("<", this.now(), data.slice(start, end));
        sink.onBytes(data, start, end);
      },
      onWritable: () => sink.onWritable(),
    });
  }

  write(data: Uint8Array, start: number, end: number): number {
    const n = this.inner.write(data, start, end);
    if (n > 0) this.recorder.bytes(">", this.now(), data.slice(start, start + n));
    return n;
  }

  close(): void {
    this.inner.close();
  }
}

export interface LiveOptions {
  port: string;
  baud: number;
  /** Parsed JSON configuration file (validated here, as on a board). */
  config: unknown;
  mail: { to: string[]; subject: string; body: string; attachments: { name: string; path: string }[] };
  /** Give up after this much real time (default 15 minutes). */
  timeoutMs?: number;
  onEvent?: (e: SessionEvent) => void;
  /** Where the outbox state lives (default: a temp dir). */
  storeDir?: string;
}

export interface LiveResult {
  ok: boolean;
  code: number;
  cause: string;
  causeName: string;
  events: SessionEvent[];
  transcript: string;
}

export async function runLive(o: LiveOptions): Promise<LiveResult> {
  const events: SessionEvent[] = [];
  const clock = new NodeClock();
  const emit = (kind: SessionEvent["kind"], text: string) => {
    const e = { t: clock.now(), kind, text };
    events.push(e);
    if (o.onEvent) o.onEvent(e);
  };
  let config;
  try {
    config = loadDevice(o.config);
  } catch (e) {
    const errors = (e as ConfigError).errors ?? [e as ConfigError];
    for (const err of errors) emit("result", `config ${err.field}: ${err.cause}`);
    return { ok: false, code: 1010, cause: "invalid configuration", causeName: "config", events, transcript: "" };
  }
  const recorder = new TranscriptRecorder();
  recorder.header.port = o.port;
  recorder.header.baud = String(o.baud);
  recorder.addSecret(config.password);
  if (config.apnPassword) recorder.addSecret(config.apnPassword);
  const serial = new SerialPortUart({ path: o.port, baudRate: o.baud, onError: (err) => emit("note", `serial ${o.port}: ${err.message}`) });
  const uart = new TappedUart(serial, () => clock.now(), recorder);
  // The node composition's modules (the cause texts, the socket transport and the command queue it needs, the module's files).
  const m = carried(EVERY_MODULE, COMPOSITIONS.node.modules);
  const app = new Cellmail({
    uart,
    clock,
    store: new FileStore(o.storeDir ?? mkdtempSync(join(tmpdir(), "cellmail-store-"))),
    log: (level, message) => {
      if (level > LOG_DEBUG) emit(level >= LOG_WARN ? "retry" : "state", message);
    },
    config,
    causes: m.causes,
    socketMail: m.socketMail,
    files: m.files,
    queue: m.queue,
    beforeStart: m.legacyOutbox,
  });
  app.start();
  const result = await new Promise<LiveResult>((resolve) => {
    const timer = setTimeout(() => {
      resolve({ ok: false, code: 1020, cause: "no result before the time limit", causeName: "module-unresponsive", events, transcript: "" });
    }, o.timeoutMs ?? 900_000);
    emit("command", `submit mail "${o.mail.subject}" to ${o.mail.to.join(", ")}`);
    const refused = app.mailer.submit(
      {
        id: "cli",
        to: o.mail.to,
        subject: o.mail.subject,
        body: o.mail.body,
        attachments: o.mail.attachments.map((a) => ({ name: a.name, data: bytesSource(readFileSync(a.path)) })),
      },
      (r) => {
        clearTimeout(timer);
        const out = outcomeOf(r);
        emit("result", out.delivered ? `delivered after ${out.attempts} send(s)` : `failed: ${out.code} ${out.cause}`);
        resolve({ ok: out.delivered, code: out.code, cause: out.cause, causeName: causeName(out), events, transcript: "" });
      },
    );
    if (refused) {
      clearTimeout(timer);
      const field = refused.field ? ` (${refused.field})` : "";
      emit("result", `refused: ${refused.cause}${field}`);
      resolve({ ok: false, code: refused.code, cause: refused.cause + field, causeName: "invalid-mail", events, transcript: "" });
    }
  });
  app.stop();
  result.transcript = recorder.render();
  return result;
}
