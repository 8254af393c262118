// The XS entries' common part: the worker's message loop (host-sim/xs/device/platform/
// protocol.ts) and the payload helpers. Each core's entry (main.ts: the full core,
// compact.ts: the compact core) says only how it starts, raises, submits and reports;
// the bytes, timers and back-pressure cross the same way for both.
import { utf8Bytes, utf8Decode } from "../../../firmware/text/utf8.js";
import {
  OP_BYTES,
  OP_FAILED,
  OP_GC,
  OP_LOGLEVEL,
  OP_PENDING,
  OP_PROBE,
  OP_RAISE,
  OP_START,
  OP_STOP,
  OP_SUBMIT,
  OP_TIMER,
  OP_WRITABLE,
  PAYLOAD,
  readU32,
  writeU32,
  XsChannel,
} from "./platform/protocol.js";
import type { XsUart } from "./platform/uart.js";
import type { XsClock } from "./platform/clock.js";

declare function gc(): void;

/** What a core's entry holds and does for the bridge's messages. */
export interface BridgeFirmware {
  readonly channel: XsChannel;
  readonly uart: XsUart;
  readonly clock: XsClock;
  /** OP_START: the configuration as JSON text. */
  start(configJson: string): void;
  /** OP_RAISE: {key, title, text} as JSON text. */
  raise(alarmJson: string): void;
  /** OP_SUBMIT: the job as JSON text; the refusal as the reply, or undefined when accepted. */
  submit(jobJson: string): ArrayBuffer | undefined;
  /** OP_FAILED: the failed alarm entries as the reply. */
  failed(): ArrayBuffer;
  /** OP_PENDING: alarm mails still to send (queued, held back, in flight). */
  pending(): number;
  stop(): void;
}

export function jsonBuffer(value: unknown): ArrayBuffer {
  return utf8Bytes(JSON.stringify(value)).buffer as ArrayBuffer;
}

/**
 * A message's text. ASCII (every job and configuration the tests send, JSON escapes
 * included) is decoded 256 chars per native call: the core's utf8Decode makes two strings
 * a char, which for a 10,240-byte body was about 21,000 heap slots of garbage in every
 * bench mail's peak (xs.mail.peakLiveSlots) that a board, which builds its jobs itself,
 * never has. This is the host link's cost, not the core's; anything else takes utf8Decode.
 */
export function payloadText(u: Uint8Array): string {
  return messageText(u, PAYLOAD);
}

/** u[start..] as text: ASCII 256 chars per native call, anything else through utf8Decode (payloadText). */
export function messageText(u: Uint8Array, start: number): string {
  const n = u.length;
  for (let i = start; i < n; i++) if (u[i] >= 0x80) return utf8Decode(u, start, n);
  let out = "";
  for (let i = start; i < n; i += 256) out += String.fromCharCode.apply(null, u.subarray(i, i + 256 < n ? i + 256 : n) as unknown as number[]);
  return out;
}

/**
 * The worker's `handleCommand` for one core: the firmware is made on the first message
 * (with the channel it answers on), and every message is routed to it.
 */
export function bridgeHandler(create: (channel: XsChannel) => BridgeFirmware, name: string): (message: ArrayBuffer) => ArrayBuffer | undefined {
  let firmware: BridgeFirmware | null = null;
  return (message: ArrayBuffer): ArrayBuffer | undefined => {
    const u = new Uint8Array(message);
    const op = u[0];
    if (op === OP_GC) {
      gc();
      return undefined;
    }
    if (firmware === null) firmware = create(new XsChannel());
    const fw = firmware;
    fw.channel.takeTime(u);
    switch (op) {
      case OP_LOGLEVEL:
        fw.channel.logLevel = u[PAYLOAD];
        return undefined;
      case OP_PROBE:
        fw.channel.clearTimer(0xffffffff);
        return undefined;
      case OP_BYTES:
        fw.uart.deliverBytes(u, PAYLOAD, u.length);
        return undefined;
      case OP_TIMER:
        fw.clock.fire(readU32(u, PAYLOAD));
        return undefined;
      case OP_WRITABLE:
        fw.uart.deliverWritable();
        return undefined;
      case OP_START:
        fw.start(payloadText(u));
        return undefined;
      case OP_RAISE:
        fw.raise(payloadText(u));
        return undefined;
      case OP_SUBMIT:
        return fw.submit(payloadText(u));
      case OP_FAILED:
        return fw.failed();
      case OP_PENDING: {
        const r = new Uint8Array(4);
        writeU32(r, 0, fw.pending());
        return r.buffer as ArrayBuffer;
      }
      case OP_STOP:
        fw.stop();
        return undefined;
    }
    throw new Error(name + ": unknown op " + op);
  };
}
