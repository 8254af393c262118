// Builds the alarm outbox (firmware/alarm/outbox.ts) on a virtual clock with the fakes, for the
// alarm tests written from the full core's side (mails as the full core's mailer reports
// them, with causes; the wall clock where the test gives one), and reads its entries back
// from the Store the way one would read a board's flash.
import { VirtualClock } from "../../host-sim/clock.js";
import { createOutbox, type Outbox } from "../../firmware/alarm/outbox.js";
import { alarmInputs } from "../../firmware/alarm/inputs.js";
import type { Alarm } from "../../firmware/alarm/types.js";
import type { DeviceConfig, DeviceInput } from "../../firmware/config/device.js";
import type { Store } from "../../firmware/platform/types.js";
import { utcText } from "../../firmware/text/utc.js";
import { Decide, FakeInput, FakeMailer, MemStore, World, deliverAll } from "./fakes.js";

export const MIN = 60000;
export const HOUR = 3600000;

/** The device record's alarm settings a test may change, and the wall clock (ms since 1970 now). */
export interface Settings {
  board?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  coalesceMs?: number;
  perHour?: number;
  idleMs?: number;
  heartbeatMs?: number;
  capacity?: number;
  maxAttempts?: number;
  inputs?: DeviceInput[];
  wallTime?: () => number;
}

/** A device record with the alarm settings of `s` (the modem's settings do not matter here). */
export function device(s: Settings): DeviceConfig {
  return {
    format: 2, check: 0, board: s.board ?? "pump-house",
    apn: "internet", apnUser: "", apnPassword: "", apnAuth: 0, contextId: 1,
    server: "smtp.example.com", port: 465, sslType: 1, sslCtxId: 1, user: "u", password: "p",
    senderName: "board", senderEmail: "board@example.com", putTimeoutS: 300,
    to: s.to ?? ["ops@example.com"], cc: s.cc ?? [], bcc: s.bcc ?? [],
    inputs: s.inputs ?? [],
    coalesceMs: s.coalesceMs ?? 10 * MIN, perHour: s.perHour ?? 10, idleMs: s.idleMs ?? 30 * MIN,
    heartbeatMs: s.heartbeatMs ?? 0, capacity: s.capacity ?? 32, maxAttempts: s.maxAttempts ?? 12,
    sslVersion: 4, cipherSuite: "0xFFFF", secLevel: 0, caPem: "", sni: true, transport: 0,
  };
}

/** One stored entry, read back from its record ([id, state, key, title, text, count, firstAt, lastAt, attempts, code, notBefore, throttled, savedAt, cause]). */
export interface StoredEntry {
  id: number;
  state: number;
  key: string;
  title: string;
  text: string;
  count: number;
  attempts: number;
  code: number;
  cause: string;
}

export const QUEUED = 0;
export const SENDING = 1;
export const FAILED = 3;

/** Every entry the Store holds, by id. */
export function storedEntries(store: Store): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (const k of store.keys()) {
    if (k.charAt(0) !== "o") continue;
    const e = JSON.parse(String.fromCharCode(...(store.read(k) as Uint8Array))) as unknown[];
    out.push({
      id: e[0] as number, state: e[1] as number, key: e[2] as string, title: e[3] as string, text: e[4] as string,
      count: e[5] as number, attempts: e[8] as number, code: e[9] as number, cause: (e[13] as string) ?? "",
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

export interface Rig {
  clock: VirtualClock;
  store: Store;
  world: World;
  mailer: FakeMailer;
  box: Outbox;
  logs: string[];
  raise(a: Alarm): number;
  entries(): StoredEntry[];
  /** Power cut + restart on the same Store and clock: a fresh outbox, a fresh mailer. */
  reboot(): void;
}

export function rig(s: Settings, decide?: Decide, delayMs?: number, store?: Store, clock?: VirtualClock): Rig {
  const c = clock ?? new VirtualClock(1000);
  const st = store ?? new MemStore();
  const world = new World();
  const logs: string[] = [];
  const when = s.wallTime
    ? (t: number) => utcText((s.wallTime as () => number)() - (c.now() - t))
    : undefined;
  const make = (m: FakeMailer) => createOutbox(c, st, m, device(s), (_l: number, msg: string) => logs.push(msg), when);
  const r: Rig = {
    clock: c, store: st, world, logs,
    mailer: new FakeMailer(c, world, decide ?? deliverAll, delayMs ?? 0),
    box: null as unknown as Outbox,
    raise: (a: Alarm) => r.box.raise(a.key, a.title, a.text ?? ""),
    entries: () => storedEntries(st),
    reboot() {
      r.mailer.alive = false;
      r.box.stop();
      r.mailer = new FakeMailer(c, world, r.mailer.decide, delayMs ?? 0);
      r.box = make(r.mailer);
      r.box.start();
    },
  };
  r.box = make(r.mailer);
  r.box.start();
  return r;
}

/** The inputs of `s.inputs`, opened on fake pins, raising into the rig's outbox. */
export function withInputs(r: Rig, s: Settings, levels: { [pin: number]: number }): { [pin: number]: FakeInput } {
  const pins: { [pin: number]: FakeInput } = {};
  const inputs = alarmInputs(r.clock, device(s), (pin: number) => (levels[pin] === undefined ? undefined : (pins[pin] = new FakeInput(levels[pin]))), r.box.raise);
  inputs.start();
  return pins;
}
