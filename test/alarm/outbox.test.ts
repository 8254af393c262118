// The alarm outbox every board runs (firmware/alarm/outbox.ts) with a mailer the test
// controls (the compact mailer's interface and outcomes, firmware/compact/mailer.ts), an in-memory Store and the virtual
// clock: write-ahead, coalescing, the per-hour limit, backoff and FAILED entries, the
// overflow entry, heartbeat and idle, restarts (power cuts at every step of a send) and
// an alarm storm.
import { describe, expect, it } from "vitest";
import { createOutbox, HEARTBEAT_KEY, OVERFLOW_KEY, type Outbox } from "../../firmware/alarm/outbox.js";
import type { OutboxOutcome } from "../../firmware/alarm/types.js";
import type { CompactMailer } from "../../firmware/compact/mailer.js";
import type { DeviceConfig } from "../../firmware/config/device.js";
import type { CompactMail, CompactOutcome, CompactRadio } from "../../firmware/compact/types.js";
import { E_AT_ERROR, E_QUEUE_FULL, E_SUBJECT, E_TIMEOUT, KIND_CONFIG, KIND_PERMANENT, KIND_RETRYABLE, KIND_THROTTLED } from "../../firmware/errors.js";
import { LOG_ERROR, LOG_WARN, type Store } from "../../firmware/platform/types.js";
import { utf8Length } from "../../firmware/text/utf8.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { MemoryStore } from "../../host-sim/runner/node-firmware.js";
import { prng } from "../at/support/modem.js";
import { device } from "./helpers.js";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

/** The device record of these tests (test/alarm/helpers.ts device()), with `over` on top. */
function config(over: Partial<DeviceConfig> = {}): DeviceConfig {
  return { ...device({ board: "test", cc: ["cc@example.com"], capacity: 8, maxAttempts: 3 }), ...over };
}

// --- the mailer under the test's control ------------------------------------------------------

const RADIO: CompactRadio = { csq: 20, stat: 1, clock: "26/11/23,14:05:11+32" };

/** What one accepted mail said, read back from its text. */
interface Mail {
  at: number;
  mail: CompactMail;
  subject: string;
  /** Alarm key ("~heartbeat" for a heartbeat), from "Alarm: title (key)". */
  key: string;
  /** Occurrences: "(xN)" in the subject, else 1. */
  count: number;
  /** "Detail: ..." or "". */
  detail: string;
  id: number;
  attempt: number;
}

function read(mail: CompactMail, at: number): Mail {
  const b = mail.body;
  const x = / \(x(\d+)\)$/.exec(mail.subject);
  const alarm = /^Alarm: .* \(([^()]*)\)\r$/m.exec(b);
  const detail = /^Detail: (.*)\r$/m.exec(b);
  const id = /^Mail id: (\d+), attempt (\d+) /m.exec(b) as RegExpExecArray;
  expect(id, b).not.toBeNull();
  return {
    at,
    mail,
    subject: mail.subject,
    key: alarm ? alarm[1] : /^Heartbeat: /m.test(b) ? HEARTBEAT_KEY : "?",
    count: x ? Number(x[1]) : 1,
    detail: detail ? detail[1] : "",
    id: Number(id[1]),
    attempt: Number(id[2]),
  };
}

type Outcome = Partial<CompactOutcome>;

/**
 * A CompactMailer whose every step the test decides: radio() and send() wait for
 * finishRadio()/finishSend() (manual), or finish by themselves after radioMs/sendMs of
 * virtual time with `outcome` (auto). idle() can keep it busy for idleBusyMs.
 */
class FakeMailer implements CompactMailer {
  /** Every mail send() accepted, in order. */
  accepted: Mail[] = [];
  /** Mails the "module" delivered. */
  delivered: Mail[] = [];
  idles: number[] = [];
  radios = 0;
  refuse = 0;
  outcome: (m: Mail) => Outcome = () => ({ delivered: true });
  radioMs = -1;
  sendMs = -1;
  idleBusyMs = 0;
  private radioDone: ((r: CompactRadio) => void) | null = null;
  private sending: { m: Mail; done: (o: CompactOutcome) => void } | null = null;
  private idling = false;
  closed = false;

  constructor(private clock: VirtualClock) {}

  auto(radioMs = 2 * SEC, sendMs = 8 * SEC): this {
    this.radioMs = radioMs;
    this.sendMs = sendMs;
    return this;
  }

  ready(): boolean {
    return this.radioDone === null && this.sending === null && !this.idling;
  }

  radio(done: (r: CompactRadio) => void): void {
    expect(this.ready()).toBe(true);
    this.radios++;
    this.radioDone = done;
    if (this.radioMs >= 0) this.clock.setTimer(this.radioMs, () => this.finishRadio());
  }

  send(mail: CompactMail, done: (o: CompactOutcome) => void): number {
    if (!this.ready()) return E_QUEUE_FULL;
    if (this.refuse) return this.refuse;
    const m = read(mail, this.clock.now());
    this.accepted.push(m);
    this.sending = { m, done };
    if (this.sendMs >= 0) this.clock.setTimer(this.sendMs, () => this.finishSend(this.outcome(m)));
    return 0;
  }

  idle(): void {
    expect(this.ready()).toBe(true);
    this.idles.push(this.clock.now());
    if (this.idleBusyMs > 0) {
      this.idling = true;
      this.clock.setTimer(this.idleBusyMs, () => (this.idling = false));
    }
  }

  close(): void {
    this.closed = true;
  }

  /** radio() is waiting. */
  inRadio(): boolean {
    return this.radioDone !== null;
  }

  /** The mail in flight, if any. */
  inFlight(): Mail | null {
    return this.sending ? this.sending.m : null;
  }

  finishRadio(r: CompactRadio = RADIO): void {
    const d = this.radioDone;
    expect(d).not.toBeNull();
    this.radioDone = null;
    d!({ csq: r.csq, stat: r.stat, clock: r.clock });
  }

  finishSend(o: Outcome = { delivered: true }): void {
    const s = this.sending;
    expect(s).not.toBeNull();
    this.sending = null;
    const out: CompactOutcome = { delivered: false, code: 0, proto: 0, kind: 0, commands: 20, recoveries: 0, ...o };
    if (out.delivered) this.delivered.push(s!.m);
    s!.done(out);
  }
}

/** The failure of a send: code, kind (retryable unless told). */
const fail = (code: number, kind = KIND_RETRYABLE, proto = 0): Outcome => ({ delivered: false, code, kind, proto });

interface Rig {
  clock: VirtualClock;
  store: Store;
  mailer: FakeMailer;
  box: Outbox;
  logs: Array<[number, string]>;
  outcomes: Array<[number, OutboxOutcome]>;
  /** Stored outbox entries ("o<id>"). */
  stored(): string[];
}

function rig(over: Partial<DeviceConfig> = {}, store: Store = new MemoryStore(), clock = new VirtualClock(), start = true): Rig {
  const mailer = new FakeMailer(clock);
  const logs: Array<[number, string]> = [];
  const box = createOutbox(clock, store, mailer, config(over), (level, message) => logs.push([level, message]));
  const outcomes: Array<[number, OutboxOutcome]> = [];
  box.onSent = (id, o) => outcomes.push([id, { ...o }]);
  if (start) box.start();
  return { clock, store, mailer, box, logs, outcomes, stored: () => store.keys().filter((k) => k.charAt(0) === "o").sort() };
}

/** A copy of a Store's content (what survives a power cut at this instant). */
/** A Store that remembers the most outbox entries (keys "o<id>") it ever held after a write. */
function countingStore(): Store & { most(): number } {
  const mem = new MemoryStore();
  let most = 0;
  return {
    read: (k) => mem.read(k),
    write: (k, v) => {
      mem.write(k, v);
      most = Math.max(most, mem.keys().filter((x) => x.charAt(0) === "o").length);
    },
    remove: (k) => mem.remove(k),
    keys: () => mem.keys(),
    most: () => most,
  };
}

function snapshot(store: Store): MemoryStore {
  const copy = new MemoryStore();
  for (const k of store.keys()) copy.write(k, store.read(k) as Uint8Array);
  return copy;
}

function storedText(store: Store, key: string): string {
  const b = store.read(key);
  return b ? String.fromCharCode(...b) : "";
}

// --- sending --------------------------------------------------------------------------------

describe("raise -> send", () => {
  it("the entry is stored before raise() returns, then radio, then one mail, then the entry is gone", () => {
    const r = rig();
    r.clock.advance(5 * SEC);
    const id = r.box.raise("door", "Door open", "front door, ground floor");
    expect(id).toBe(1);
    expect(r.stored()).toEqual(["o1"]);
    expect(r.mailer.inRadio()).toBe(true);
    expect(r.box.queued()).toBe(1);
    r.clock.advance(3 * SEC);
    r.mailer.finishRadio();
    const m = r.mailer.inFlight() as Mail;
    expect(m.subject).toBe("[test] ALARM Door open");
    expect(m.mail.to).toEqual(["ops@example.com"]);
    expect(m.mail.cc).toEqual(["cc@example.com"]);
    expect(m.mail.bcc).toEqual([]);
    expect(m.mail.body).toBe(
      "Board: test\r\n" +
        "Alarm: Door open (door)\r\n" +
        "Detail: front door, ground floor\r\n" +
        "Raised: 3 s before this mail\r\n" +
        "Module clock: 26/11/23,14:05:11+32\r\n" +
        "Signal: CSQ 20 (-73 dBm), registration 1\r\n" +
        "Outbox: 0 more queued, 0 failed\r\n" +
        "Mail id: 1, attempt 1 (a repeated id is a resend)\r\n",
    );
    expect(r.stored()).toEqual(["o1"]); // still there while in flight
    r.mailer.finishSend();
    expect(r.stored()).toEqual([]);
    expect(r.box.queued()).toBe(0);
    expect(r.outcomes.map(([i, o]) => [i, o.delivered])).toEqual([[1, true]]);
  });

  it("an unknown signal and clock say so", () => {
    const r = rig();
    r.box.raise("k", "T", "");
    r.mailer.finishRadio({ csq: 99, stat: -1, clock: "" });
    const b = (r.mailer.inFlight() as Mail).mail.body;
    expect(b).toContain("Module clock: unknown\r\n");
    expect(b).toContain("Signal: CSQ 99 (unknown), registration -1\r\n");
    expect(b).not.toContain("Detail:");
  });

  it("one mail at a time, in the order raised", () => {
    const r = rig({ coalesceMs: 0 });
    r.mailer.auto();
    for (const k of ["a", "b", "c"]) r.box.raise(k, k.toUpperCase(), "");
    expect(r.mailer.accepted.length).toBe(0);
    r.clock.advance(HOUR);
    expect(r.mailer.delivered.map((m) => [m.key, m.id, m.at])).toEqual([
      ["a", 1, 2 * SEC],
      ["b", 2, 12 * SEC],
      ["c", 3, 22 * SEC],
    ]);
    expect(r.mailer.radios).toBe(3);
  });

  it("the subject fits the mailer's 100 bytes with a long board name and title, the count kept", () => {
    const r = rig({ board: "B".repeat(50) });
    r.mailer.auto();
    const title = "Überlauf im Keller, Pumpe 3 — Wasserstand über Grenzwert!!"; // 60+ bytes in UTF-8
    r.box.raise("flood", title, "");
    r.clock.advance(1 * SEC); // in radio
    for (let i = 0; i < 11; i++) r.box.raise("flood", title, "");
    r.clock.advance(HOUR);
    expect(r.mailer.delivered.length).toBe(2);
    for (const m of r.mailer.delivered) {
      expect(utf8Length(m.subject)).toBeLessThanOrEqual(100);
      expect(m.subject.startsWith("[" + "B".repeat(50) + "] ALARM Überlauf")).toBe(true);
    }
    expect(r.mailer.delivered[1].subject.endsWith(" (x11)")).toBe(true);
    expect(r.box.failed()).toEqual([]);
  });

  it("invalid keys are refused with -1 and nothing is stored or sent", () => {
    const r = rig();
    const bad: unknown[] = ["", "k".repeat(33), "a\nb", "tab\there", "caf\u00e9", "\u0000", "del\u007f", 5, null, undefined];
    for (const k of bad) expect(r.box.raise(k as string, "T", "")).toBe(-1);
    expect(r.store.keys()).toEqual([]);
    expect(r.mailer.radios).toBe(0);
    expect(r.box.raise("k".repeat(32), "T", "")).toBe(1);
    expect(r.box.raise(" ~!{}", "T", "")).toBe(2);
  });
});

// --- coalescing ----------------------------------------------------------------------------------

describe("coalescing", () => {
  it("repeats of a queued alarm add to its count: one mail says (xN), when first and last", () => {
    const r = rig();
    r.box.raise("busy", "Other", ""); // keeps the mailer busy
    r.clock.advance(10 * SEC);
    const ids = [r.box.raise("pump", "Pump", ""), 0, 0];
    r.clock.advance(30 * SEC);
    ids[1] = r.box.raise("pump", "Pump", "");
    r.clock.advance(30 * SEC);
    ids[2] = r.box.raise("pump", "Pump", "");
    expect(new Set(ids).size).toBe(1);
    expect(r.stored().length).toBe(2);
    r.mailer.finishRadio();
    r.mailer.finishSend();
    r.clock.advance(20 * SEC);
    r.mailer.finishRadio();
    const m = r.mailer.inFlight() as Mail;
    expect(m.subject).toBe("[test] ALARM Pump (x3)");
    expect(m.mail.body).toContain("Occurrences: 3, first 80 s before this mail, last 20 s before this mail\r\n");
    r.mailer.finishSend();
    expect(r.mailer.delivered.map((d) => d.key)).toEqual(["busy", "pump"]);
  });

  it("repeats within coalesceMs after a delivery wait for the window's end, then go as one mail", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.mailer.auto(1 * SEC, 4 * SEC);
    r.box.raise("door", "Door", "");
    r.clock.advance(5 * SEC); // delivered at 5 s
    expect(r.mailer.delivered.length).toBe(1);
    for (let i = 0; i < 4; i++) {
      r.clock.advance(MIN);
      r.box.raise("door", "Door", "");
    }
    r.clock.advance(10 * MIN - 4 * MIN - 1); // just before the window's end (10 min after the delivery at 5 s)
    expect(r.mailer.accepted.length).toBe(1);
    r.clock.advance(1 + 1 * SEC); // window end + radio
    expect(r.mailer.accepted.length).toBe(2);
    expect(r.mailer.accepted[1].at).toBe(5 * SEC + 10 * MIN + 1 * SEC);
    expect(r.mailer.accepted[1].count).toBe(4);
    // After the window a repeat goes at once.
    r.clock.advance(11 * MIN);
    r.box.raise("door", "Door", "");
    r.clock.advance(1 * SEC);
    expect(r.mailer.accepted.length).toBe(3);
    expect(r.mailer.accepted[2].count).toBe(1);
  });

  it("repeats raised while the alarm's mail is in flight wait for the window too (from the start of that send)", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.box.raise("door", "Door", ""); // send starts at 0
    r.clock.advance(2 * SEC);
    r.box.raise("door", "Door", "");
    r.box.raise("door", "Door", "");
    r.mailer.finishRadio();
    r.clock.advance(5 * SEC);
    r.mailer.finishSend(); // delivered at 7 s
    r.clock.advance(10 * MIN - 7 * SEC - 1);
    expect(r.mailer.radios).toBe(1); // held
    r.clock.advance(1);
    expect(r.mailer.radios).toBe(2);
    r.mailer.finishRadio();
    expect((r.mailer.inFlight() as Mail).count).toBe(2);
  });

  it("other keys are not held by a key's window", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.mailer.auto(1 * SEC, 1 * SEC);
    r.box.raise("a", "A", "");
    r.clock.advance(5 * SEC);
    r.box.raise("a", "A", "");
    r.box.raise("b", "B", "");
    r.clock.advance(5 * SEC);
    expect(r.mailer.delivered.map((m) => m.key)).toEqual(["a", "b"]);
  });

  it("coalesceMs 0: every raise after a delivery is a mail of its own", () => {
    const r = rig({ coalesceMs: 0 });
    r.mailer.auto(1 * SEC, 1 * SEC);
    for (let i = 0; i < 3; i++) {
      r.box.raise("a", "A", "");
      r.clock.advance(5 * SEC);
    }
    expect(r.mailer.delivered.map((m) => m.count)).toEqual([1, 1, 1]);
  });
});

// --- the per-hour limit --------------------------------------------------------------------------

describe("per-hour limit", () => {
  it("perHour mails, then the rest held until an hour after the first", () => {
    const r = rig({ perHour: 3, coalesceMs: 0 });
    r.mailer.auto(1 * SEC, 9 * SEC); // delivered at 10, 20, 30 s
    for (const k of ["a", "b", "c", "d", "e"]) r.box.raise(k, k, "");
    r.clock.advance(HOUR + 10 * SEC - 1);
    expect(r.mailer.delivered.map((m) => [m.key, m.at])).toEqual([
      ["a", 1 * SEC],
      ["b", 11 * SEC],
      ["c", 21 * SEC],
    ]);
    expect(r.mailer.radios).toBe(3);
    expect(r.mailer.idles).toEqual([]); // something is waiting: no idle
    r.clock.advance(1);
    expect(r.mailer.radios).toBe(4); // an hour after the first delivery
    r.clock.advance(HOUR);
    expect(r.mailer.delivered.map((m) => [m.key, m.at])).toEqual([
      ["a", 1 * SEC],
      ["b", 11 * SEC],
      ["c", 21 * SEC],
      ["d", HOUR + 11 * SEC],
      ["e", HOUR + 21 * SEC],
    ]);
  });

  it("failed sends do not count against the limit", () => {
    const r = rig({ perHour: 2, coalesceMs: 0, maxAttempts: 1 });
    r.mailer.auto(1 * SEC, 1 * SEC);
    r.mailer.outcome = (m) => (m.key === "x" ? fail(550, KIND_PERMANENT) : { delivered: true });
    for (const k of ["x", "a", "b"]) r.box.raise(k, k, "");
    r.clock.advance(MIN);
    expect(r.mailer.delivered.map((m) => m.key)).toEqual(["a", "b"]);
  });

  it("the limit's window keeps its age across a restart: the time powered off counts as zero", () => {
    const store = new MemoryStore();
    const a = rig({ perHour: 2, coalesceMs: 0 }, store);
    a.mailer.auto(1 * SEC, 1 * SEC);
    a.box.raise("a", "a", "");
    a.box.raise("b", "b", "");
    a.clock.advance(MIN);
    expect(a.mailer.delivered.map((m) => m.at)).toEqual([1 * SEC, 3 * SEC]); // handed over; delivered 1 s later: the window's last write at 4 s
    a.box.stop();
    // Power back after an unknown time, the clock from 0: a's send counts as 4 s before the restart.
    const b = rig({ perHour: 2, coalesceMs: 0 }, store);
    b.mailer.auto(1 * SEC, 1 * SEC);
    b.box.raise("c", "c", "");
    b.clock.advance(HOUR - 2 * SEC - 1);
    expect(b.mailer.radios).toBe(0);
    b.clock.advance(10 * SEC);
    expect(b.mailer.delivered.map((m) => [m.key, m.id, m.at])).toEqual([["c", 3, HOUR - 2 * SEC + 1 * SEC]]); // ids go on, not from 1
  });

  it("with a clock that keeps counting through the cut, the window ends as it would have", () => {
    const store = new MemoryStore();
    const clock = new VirtualClock();
    const a = rig({ perHour: 1, coalesceMs: 0 }, store, clock);
    a.mailer.auto(1 * SEC, 1 * SEC);
    a.box.raise("a", "a", "");
    a.clock.advance(10 * MIN);
    a.box.stop();
    const b = rig({ perHour: 1, coalesceMs: 0 }, store, clock); // same clock: 10 min on, the cut counts as zero
    b.mailer.auto(1 * SEC, 1 * SEC);
    b.box.raise("b", "b", "");
    clock.advance(HOUR - 1 - 10 * MIN + 2 * SEC);
    expect(b.mailer.radios).toBe(0);
    clock.advance(HOUR);
    expect(b.mailer.delivered.map((m) => m.key)).toEqual(["b"]);
    // never sooner than an hour after a's send, whatever the clock did
    expect(b.mailer.delivered[0].at - a.mailer.delivered[0].at).toBeGreaterThanOrEqual(HOUR);
  });
});

// --- failures ---------------------------------------------------------------------------------------

describe("failures, backoff and FAILED entries", () => {
  it("a retryable failure is retried after 15-30 s, 30-60 s, ... (jittered); FAILED after maxAttempts, kept and reported", () => {
    const r = rig({ maxAttempts: 3 });
    r.mailer.auto(0, 0);
    r.mailer.outcome = () => fail(E_TIMEOUT);
    const id = r.box.raise("door", "Door", "");
    r.clock.advance(0);
    expect(r.mailer.accepted.map((m) => m.at)).toEqual([0]);
    r.clock.advance(15 * SEC - 1);
    expect(r.mailer.accepted.length).toBe(1);
    r.clock.advance(15 * SEC);
    r.clock.advance(60 * SEC);
    const at = r.mailer.accepted.map((m) => m.at);
    expect(r.mailer.accepted.map((m) => m.attempt)).toEqual([1, 2, 3]);
    expect(at[1]).toBeGreaterThanOrEqual(15 * SEC);
    expect(at[1]).toBeLessThan(30 * SEC);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(30 * SEC);
    expect(at[2] - at[1]).toBeLessThan(60 * SEC);
    r.clock.advance(10 * HOUR);
    expect(r.mailer.accepted.length).toBe(3);
    expect(r.box.failed()).toEqual([{ id, key: "door", code: E_TIMEOUT, cause: "" }]); // the compact mailer gives codes, no words
    expect(r.box.queued()).toBe(0);
    expect(r.stored()).toEqual(["o1"]);
    expect(r.logs.filter(([l]) => l === LOG_ERROR).length).toBe(1);
    expect(r.outcomes.length).toBe(3);

    // Reported in the next mails, until dismissed.
    r.mailer.outcome = () => ({ delivered: true });
    r.box.raise("smoke", "Smoke", "");
    r.clock.advance(MIN);
    expect(r.mailer.delivered[0].mail.body).toContain(`Outbox: 0 more queued, 1 failed\r\n  failed ${id} door: error ${E_TIMEOUT}\r\n`);
    r.box.dismiss(id);
    expect(r.box.failed()).toEqual([]);
    expect(r.stored()).toEqual([]);
    r.box.raise("heat", "Heat", "");
    r.clock.advance(MIN);
    expect(r.mailer.delivered[1].mail.body).toContain("Outbox: 0 more queued, 0 failed\r\n");
  });

  it("the backoff doubles up to 30 minutes, each wait between half and all of it (jitter)", () => {
    const r = rig({ maxAttempts: 100 });
    r.mailer.auto(0, 0);
    r.mailer.outcome = () => fail(E_AT_ERROR);
    r.box.raise("k", "K", "");
    r.clock.advance(24 * HOUR);
    const gaps = r.mailer.accepted.slice(1, 10).map((m, i) => (m.at - r.mailer.accepted[i].at) / SEC);
    [30, 60, 120, 240, 480, 960, 1800, 1800, 1800].forEach((d, i) => {
      expect(gaps[i], `gap ${i}`).toBeGreaterThanOrEqual(d / 2);
      expect(gaps[i], `gap ${i}`).toBeLessThan(d);
    });
    // Another board, refused at the same moments, comes back at other moments.
    const other = rig({ maxAttempts: 100, board: "test-2" });
    other.mailer.auto(0, 0);
    other.mailer.outcome = () => fail(E_AT_ERROR);
    other.box.raise("k", "K", "");
    other.clock.advance(24 * HOUR);
    expect(other.mailer.accepted.slice(1, 10).map((m) => m.at)).not.toEqual(r.mailer.accepted.slice(1, 10).map((m) => m.at));
  });

  it("a permanent or configuration failure is FAILED at once; throttling and 4xx replies never use up the attempts", () => {
    for (const [kind, proto, tries] of [
      [KIND_PERMANENT, 550, 1],
      [KIND_CONFIG, 0, 1],
      [KIND_RETRYABLE, 0, 3],
    ]) {
      const r = rig({ maxAttempts: 3 });
      r.mailer.auto(0, 0);
      r.mailer.outcome = () => fail(679, kind, proto);
      r.box.raise("k", "K", "");
      r.clock.advance(HOUR);
      expect(r.mailer.accepted.length, `kind ${kind}`).toBe(tries);
      expect(r.box.failed()).toEqual([{ id: 1, key: "k", code: 679, cause: "" }]);
    }
    for (const [kind, proto] of [
      [KIND_THROTTLED, 530],
      [KIND_RETRYABLE, 450],
    ]) {
      const r = rig({ maxAttempts: 3 });
      r.mailer.auto(0, 0);
      r.mailer.outcome = () => fail(676, kind, proto);
      r.box.raise("k", "K", "");
      r.clock.advance(24 * HOUR);
      const at = r.mailer.accepted.map((m) => m.at);
      expect(at.length, `kind ${kind}/${proto}`).toBeGreaterThan(20);
      expect(r.box.failed()).toEqual([]);
      expect(r.box.queued()).toBe(1);
      // 30-60 s first, then doubling up to an hour: about one try an hour once it is long refused.
      expect(at[1]).toBeGreaterThanOrEqual(30 * SEC);
      expect(at[1]).toBeLessThan(60 * SEC);
      const last = at.slice(-5);
      for (let i = 1; i < last.length; i++) expect(last[i] - last[i - 1]).toBeGreaterThanOrEqual(30 * MIN);
      r.mailer.outcome = () => ({ delivered: true });
      r.clock.advance(2 * HOUR);
      expect(r.box.queued()).toBe(0);
    }
  });

  it("Tencent SES's 554 (its rate limit) is \"not now\" from a qcloudmail.com server, permanent from any other", () => {
    for (const [server, failed] of [["smtp.qcloudmail.com", false], ["smtp.example.com", true]] as const) {
      const r = rig({ server, maxAttempts: 3 });
      r.mailer.auto(0, 0);
      let refusals = 0;
      r.mailer.outcome = () => (refusals++ < 5 ? fail(682, KIND_PERMANENT, 554) : { delivered: true });
      r.box.raise("k", "K", "");
      r.clock.advance(24 * HOUR);
      expect(r.box.failed().length, server).toBe(failed ? 1 : 0);
      expect(r.mailer.delivered.length, server).toBe(failed ? 0 : 1);
    }
  });

  it("an alarm waiting for its retry holds the younger ones back: mails arrive in raise order", () => {
    const r = rig({ coalesceMs: 0 });
    r.mailer.auto(0, 0);
    let refused = 0;
    r.mailer.outcome = (m) => (m.key === "a" && refused++ < 2 ? fail(E_TIMEOUT) : { delivered: true });
    r.box.raise("a", "A", "");
    r.clock.advance(SEC);
    r.box.raise("b", "B", "");
    r.box.raise("c", "C", "");
    r.clock.advance(HOUR);
    expect(r.mailer.delivered.map((m) => m.key)).toEqual(["a", "b", "c"]);
  });

  it("a mail the mailer refuses at once (bad subject, address) is FAILED with that code", () => {
    const r = rig();
    r.mailer.refuse = E_SUBJECT;
    r.box.raise("k", "K", "");
    r.mailer.finishRadio();
    expect(r.box.failed()).toEqual([{ id: 1, key: "k", code: E_SUBJECT, cause: "" }]);
    expect(r.outcomes.map(([, o]) => [o.code, o.kind])).toEqual([[E_SUBJECT, KIND_CONFIG]]);
  });

  it("a failed entry is not added to by repeats; a new entry takes them", () => {
    const r = rig({ maxAttempts: 1, coalesceMs: 0 });
    r.mailer.auto(0, 0);
    r.mailer.outcome = () => fail(550, KIND_PERMANENT);
    const first = r.box.raise("k", "K", "");
    r.clock.advance(SEC);
    r.mailer.outcome = () => ({ delivered: true });
    const second = r.box.raise("k", "K", "");
    expect(second).not.toBe(first);
    r.clock.advance(SEC);
    expect(r.mailer.delivered.map((m) => [m.id, m.count])).toEqual([[second, 1]]);
    expect(r.box.failed().map((f) => f.id)).toEqual([first]);
  });

  it("dismiss() leaves queued entries alone", () => {
    const r = rig();
    const id = r.box.raise("k", "K", "");
    r.box.dismiss(id);
    r.box.dismiss(999);
    expect(r.stored()).toEqual(["o1"]);
  });
});

// --- capacity and overflow ----------------------------------------------------------------------

describe("capacity and the overflow entry", () => {
  it("with two slots left, new keys go into one overflow entry that names them once and counts every raise", () => {
    const r = rig({ capacity: 6 });
    const ids = ["k1", "k2", "k3", "k4"].map((k) => r.box.raise(k, k, ""));
    expect(ids).toEqual([1, 2, 3, 4]);
    const o = [r.box.raise("k5", "k5", ""), r.box.raise("k6", "k6", ""), r.box.raise("k5", "k5", ""), r.box.raise("k4", "k4", "")];
    expect(o).toEqual([5, 5, 5, 4]); // k4 is queued: it counts there
    expect(r.stored().length).toBe(5);
    expect(storedText(r.store, "o5")).toContain(OVERFLOW_KEY);
    r.mailer.auto(0, 0);
    r.mailer.finishRadio();
    r.clock.advance(HOUR);
    const mails = r.mailer.delivered.map((m) => [m.key, m.count, m.detail]);
    expect(mails).toEqual([
      ["k1", 1, ""],
      ["k2", 1, ""],
      ["k3", 1, ""],
      ["k4", 2, ""],
      [OVERFLOW_KEY, 3, "k5, k6"],
    ]);
    expect(r.mailer.delivered[4].subject).toBe("[test] ALARM several alarms (outbox full) (x3)");
    expect(r.stored()).toEqual([]);
  });

  it("many repeats of one key in the overflow entry do not crowd out a key raised later", () => {
    const r = rig({ capacity: 4 });
    r.box.raise("a", "a", ""); // in flight (manual mailer)
    r.box.raise("b", "b", "");
    for (let i = 0; i < 300; i++) r.box.raise("hot-key-" + (i % 3), "Hot", "");
    r.box.raise("rare", "Rare", "");
    r.mailer.auto(0, 0);
    r.mailer.finishRadio();
    r.clock.advance(HOUR);
    const o = r.mailer.delivered.filter((m) => m.key === OVERFLOW_KEY);
    expect(o.map((m) => [m.count, m.detail])).toEqual([[301, "hot-key-0, hot-key-1, hot-key-2, rare"]]);
  });

  it("the overflow entry names keys up to 400 bytes (it counts them all)", () => {
    const r = rig({ capacity: 4 });
    r.box.raise("a", "a", "");
    r.box.raise("b", "b", "");
    for (let i = 0; i < 20; i++) r.box.raise(String(i).padStart(32, "k"), "T", "");
    r.mailer.auto(0, 0);
    r.mailer.finishRadio();
    r.clock.advance(HOUR);
    const o = r.mailer.delivered.filter((m) => m.key === OVERFLOW_KEY);
    expect(o.length).toBe(1);
    expect(o[0].count).toBe(20);
    expect(o[0].detail.length).toBeLessThanOrEqual(400);
    expect(o[0].detail.split(", ").length).toBe(11);
  });

  it("a failed overflow entry taken up again waits for its coalescing window like a new one", () => {
    const r = rig({ capacity: 4, coalesceMs: 10 * MIN, maxAttempts: 1 });
    r.mailer.auto(0, 0);
    r.mailer.outcome = (m) => (m.at === 0 ? fail(550, KIND_PERMANENT) : { delivered: true });
    r.mailer.radioMs = -1;
    r.box.raise("a", "a", ""); // in flight
    r.box.raise("b", "b", "");
    r.box.raise("c", "c", ""); // overflow
    r.mailer.radioMs = 0;
    r.mailer.finishRadio();
    r.clock.advance(0);
    expect(r.box.failed().map((f) => f.key)).toEqual(["a", "b", OVERFLOW_KEY]);
    r.clock.advance(MIN);
    r.box.raise("d", "d", ""); // two slots left (failed entries count): into the failed overflow entry
    r.clock.advance(10 * MIN - MIN - 1);
    expect(r.mailer.accepted.map((m) => m.key)).toEqual(["a", "b", OVERFLOW_KEY]);
    r.clock.advance(1);
    expect(r.mailer.delivered.map((m) => [m.key, m.at, m.detail, m.count])).toEqual([[OVERFLOW_KEY, 10 * MIN, "c, d", 2]]);
    expect(r.box.failed().map((f) => f.key)).toEqual(["a", "b"]);
  });

  it("while the overflow entry is in flight a second one gathers new keys; the Store never holds more than capacity", () => {
    // capacity 4: two normal entries, the overflow entry in flight and the next one.
    const counting = countingStore();
    const r = rig({ capacity: 4, coalesceMs: 10 * MIN }, counting);
    r.mailer.auto(0, 0);
    r.box.raise("a", "a", "");
    r.box.raise("b", "b", "");
    r.clock.advance(SEC);
    expect(r.mailer.delivered.length).toBe(2);
    r.mailer.radioMs = r.mailer.sendMs = -1; // by hand from here
    r.box.raise("a", "a", ""); // held: a's window
    r.box.raise("b", "b", ""); // held: b's window
    expect(r.mailer.radios).toBe(2);
    r.box.raise("c", "c", ""); // two slots left: overflow 1, goes at once
    r.mailer.finishRadio();
    expect((r.mailer.inFlight() as Mail).key).toBe(OVERFLOW_KEY);
    r.box.raise("d", "d", ""); // overflow 1 in flight: overflow 2
    r.box.raise("e", "e", "");
    r.box.raise("d", "d", "");
    expect(r.stored().length).toBe(4);
    r.mailer.auto(0, 0);
    r.mailer.finishSend();
    r.clock.advance(HOUR);
    expect(r.mailer.delivered.map((m) => [m.key, m.count, m.detail, m.at])).toEqual([
      ["a", 1, "", 0],
      ["b", 1, "", 0],
      [OVERFLOW_KEY, 1, "c", SEC],
      ["a", 1, "", 10 * MIN],
      ["b", 1, "", 10 * MIN],
      [OVERFLOW_KEY, 3, "d, e", SEC + 10 * MIN],
    ]);
    expect(counting.most()).toBe(4);
  });

  it("failed entries count against capacity; a failed overflow entry is taken up again, so the Store stays bounded", () => {
    const store = new MemoryStore();
    const r = rig({ capacity: 4, coalesceMs: 0, maxAttempts: 1 }, store);
    r.mailer.auto(0, 0);
    r.mailer.outcome = () => fail(535, KIND_CONFIG, 535); // e.g. a wrong password: everything fails for good
    for (let i = 0; i < 200; i++) {
      r.box.raise("key" + (i % 20), "T", "");
      r.clock.advance(SEC);
      expect(r.stored().length).toBeLessThanOrEqual(4);
    }
    r.clock.advance(HOUR);
    expect(r.stored().length).toBeLessThanOrEqual(4);
    const f = r.box.failed();
    expect(f.length).toBe(r.stored().length);
    expect(f.filter((x) => x.key === OVERFLOW_KEY).length).toBeGreaterThanOrEqual(1);
    // The overflow entry was taken up (and tried) again and again.
    expect(r.mailer.accepted.filter((m) => m.key === OVERFLOW_KEY).length).toBeGreaterThan(10);
    // The password fixed: a new key goes into the failed overflow entry, which goes out with it.
    r.mailer.outcome = () => ({ delivered: true });
    r.box.raise("after", "After", "");
    r.clock.advance(MIN);
    expect(r.mailer.delivered.map((m) => m.key)).toEqual([OVERFLOW_KEY]);
    expect(r.mailer.delivered[0].detail.split(", ")).toContain("after");
    // The failed entries dismissed: the next alarms go out normally.
    for (const x of r.box.failed()) r.box.dismiss(x.id);
    expect(r.stored()).toEqual([]);
    r.box.raise("later", "Later", "");
    r.clock.advance(MIN);
    expect(r.mailer.delivered.map((m) => m.key)).toEqual([OVERFLOW_KEY, "later"]);
  });
});

// --- heartbeat and idle --------------------------------------------------------------------------

describe("heartbeat and idle", () => {
  it("a heartbeat mail every heartbeatMs", () => {
    const r = rig({ heartbeatMs: 6 * HOUR });
    r.mailer.auto(1 * SEC, 1 * SEC);
    r.clock.advance(6 * HOUR - 1);
    expect(r.mailer.accepted.length).toBe(0);
    r.clock.advance(13 * HOUR);
    expect(r.mailer.delivered.map((m) => [m.key, m.at, m.subject])).toEqual([
      [HEARTBEAT_KEY, 6 * HOUR + 1 * SEC, "[test] heartbeat"],
      [HEARTBEAT_KEY, 12 * HOUR + 1 * SEC, "[test] heartbeat"],
      [HEARTBEAT_KEY, 18 * HOUR + 1 * SEC, "[test] heartbeat"],
    ]);
    expect(r.mailer.delivered[0].mail.body).toContain("Heartbeat: the board is running\r\n");
    r.box.stop();
    r.clock.advance(24 * HOUR);
    expect(r.mailer.accepted.length).toBe(3);
  });

  it("no heartbeat when heartbeatMs is 0", () => {
    const r = rig({ heartbeatMs: 0 });
    r.mailer.auto();
    r.clock.advance(72 * HOUR);
    expect(r.mailer.accepted.length).toBe(0);
  });

  it("idle() once, idleMs after the last mail with nothing left to send", () => {
    const r = rig({ idleMs: 30 * MIN });
    r.mailer.auto(1 * SEC, 1 * SEC);
    r.clock.advance(10 * MIN);
    r.box.raise("a", "A", ""); // cancels the idle timer of the start
    r.clock.advance(30 * MIN + 2 * SEC - 1);
    expect(r.mailer.idles).toEqual([]);
    r.clock.advance(1);
    expect(r.mailer.idles).toEqual([40 * MIN + 2 * SEC]);
    r.clock.advance(10 * HOUR);
    expect(r.mailer.idles.length).toBe(1);
  });

  it("idle() after start with an empty outbox", () => {
    const r = rig({ idleMs: 5 * MIN });
    r.clock.advance(HOUR);
    expect(r.mailer.idles).toEqual([5 * MIN]);
  });

  it("an alarm raised while the mailer is busy idling goes out when it is done, with nothing else happening", () => {
    const r = rig({ idleMs: 5 * MIN });
    r.mailer.auto(1 * SEC, 1 * SEC);
    r.mailer.idleBusyMs = 45 * SEC; // AT+QIDEACT takes its time
    r.clock.advance(5 * MIN + 10 * SEC);
    expect(r.mailer.ready()).toBe(false);
    r.box.raise("late", "Late", "");
    r.clock.advance(HOUR);
    expect(r.mailer.delivered.map((m) => m.key)).toEqual(["late"]);
    expect(r.mailer.delivered[0].at).toBeLessThanOrEqual(5 * MIN + 45 * SEC + 3 * SEC);
  });

  it("stop() ends every timer", () => {
    const r = rig({ heartbeatMs: HOUR, idleMs: MIN, perHour: 1, coalesceMs: 0 });
    r.mailer.auto(0, 0);
    r.box.raise("a", "a", "");
    r.box.raise("b", "b", "");
    r.clock.advance(SEC);
    r.box.stop();
    expect(r.clock.pendingTimers()).toBe(0);
  });
});

// --- restarts ---------------------------------------------------------------------------------------

describe("restarts", () => {
  it("entries are stored as ASCII JSON, and a non-ASCII title and text survive a restart", () => {
    const store = new MemoryStore();
    const a = rig({}, store);
    const title = "Wasser im Keller – 5 °C ✓ 🚰";
    const text = "Pegel über 3 cm · 水位";
    a.box.raise("flood", title, text);
    const bytes = store.read("o1") as Uint8Array;
    expect(Array.from(bytes).every((b) => b >= 0x20 && b < 0x7f)).toBe(true);
    a.box.stop(); // power cut while in radio
    const b = rig({}, store);
    b.mailer.finishRadio();
    const m = b.mailer.inFlight() as Mail;
    expect(m.subject).toBe(`[test] ALARM ${title}`);
    expect(m.detail).toBe(text);
    expect(m.id).toBe(1);
    expect(m.attempt).toBe(2); // a resend after a restart says so
  });

  it("a title is clipped to 64 UTF-8 bytes, on a character boundary", () => {
    const r = rig();
    r.box.raise("k", "ü".repeat(40), "");
    r.mailer.finishRadio();
    expect((r.mailer.inFlight() as Mail).subject).toBe("[test] ALARM " + "ü".repeat(32));
  });

  it("unreadable or foreign Store keys are ignored at start", () => {
    const store = new MemoryStore();
    store.write("o7", new Uint8Array([0x7b, 0x7b]));
    store.write("o8", new Uint8Array([0x5b, 0x31, 0x5d])); // [1]
    store.write("config", new Uint8Array([0x5b, 0x5d]));
    const r = rig({}, store);
    expect(r.box.queued()).toBe(0);
    expect(r.mailer.radios).toBe(0);
  });

  it("a failed entry stays failed across a restart", () => {
    const store = new MemoryStore();
    const a = rig({ maxAttempts: 1 }, store);
    a.mailer.auto(0, 0);
    a.mailer.outcome = () => fail(550, KIND_PERMANENT);
    a.box.raise("k", "K", "");
    a.clock.advance(SEC);
    a.box.stop();
    const b = rig({ maxAttempts: 1 }, store);
    b.mailer.auto(0, 0);
    b.clock.advance(HOUR);
    expect(b.mailer.accepted.length).toBe(0);
    expect(b.box.failed()).toEqual([{ id: 1, key: "k", code: 550, cause: "" }]);
  });

  // Power cuts: the scenario below runs once; after every Store write and at every named
  // step it notes what the Store holds and what the outside world saw (which mails the
  // module was given, which it delivered). Each point is then restarted from a copy of
  // that Store with a new outbox whose mailer delivers everything, and what reaches the
  // recipient over both lives is checked: no alarm lost; an alarm whose mail had not been
  // handed to the module goes exactly once; one whose mail had been may go again.
  interface Point {
    name: string;
    store: MemoryStore;
    /** Raises of each key that had returned. */
    raised: Record<string, number>;
    /** A raise of the key was running (its entry may or may not be stored). */
    raising: string | null;
    /** Keys whose mail the mailer had accepted (send() called) before the cut. */
    started: Set<string>;
    /** Occurrences delivered before the cut, by key. */
    delivered: Record<string, number>;
  }

  function recordScenario(): Point[] {
    const points: Point[] = [];
    const mem = new MemoryStore();
    const raised: Record<string, number> = {};
    const delivered: Record<string, number> = {};
    const started = new Set<string>();
    let raising: string | null = null;
    const note = (name: string) =>
      points.push({ name, store: snapshot(mem), raised: { ...raised }, raising, started: new Set(started), delivered: { ...delivered } });
    let writes = 0;
    const store: Store = {
      read: (k) => mem.read(k),
      write: (k, v) => {
        mem.write(k, v);
        note(`after write ${++writes} (${k})`);
      },
      remove: (k) => {
        mem.remove(k);
        note(`after write ${++writes} (remove ${k})`);
      },
      keys: () => mem.keys(),
    };
    const r = rig({ coalesceMs: 0 }, store, new VirtualClock(), false);
    const raise = (k: string) => {
      raising = k;
      r.box.raise(k, k.toUpperCase(), "");
      raising = null;
      raised[k] = (raised[k] ?? 0) + 1;
    };
    const send = () => {
      const m = r.mailer.inFlight() as Mail;
      started.add(m.key);
    };
    const deliver = () => {
      const m = r.mailer.inFlight() as Mail;
      delivered[m.key] = (delivered[m.key] ?? 0) + m.count;
      r.mailer.finishSend();
    };
    r.box.start();
    note("started");
    raise("a"); // SENDING stored before radio
    note("a: before radio");
    r.mailer.finishRadio();
    send();
    note("a: after radio, send started");
    raise("b");
    raise("b");
    note("a: during send, b queued twice");
    r.clock.advance(5 * SEC);
    r.mailer.outcome = () => fail(E_TIMEOUT);
    r.mailer.finishSend(fail(E_TIMEOUT)); // a fails once: kept for a retry; b waits behind it (raise order)
    note("a: failed, b waiting behind it");
    r.clock.advance(30 * SEC); // a's retry (15-30 s with its jitter)
    note("a: retry before radio");
    r.mailer.finishRadio();
    send();
    note("a: retry during send");
    raise("c");
    note("c: raised during a's send");
    deliver();
    note("a: after delivered");
    r.mailer.finishRadio();
    send();
    note("b: during send");
    deliver();
    note("b: after delivered");
    r.mailer.finishRadio();
    send();
    deliver();
    note("c: after delivered");
    return points;
  }

  it("a power cut at every point of a send: nothing lost, exactly once unless the mail was already handed to the module", () => {
    const points = recordScenario();
    expect(points.length).toBeGreaterThan(20);
    const names = points.map((p) => p.name);
    for (const n of ["a: before radio", "a: after radio, send started", "a: during send, b queued twice", "b: during send", "b: after delivered"]) {
      expect(names).toContain(n);
    }
    for (const p of points) {
      const after = rig({ coalesceMs: 0 }, snapshot(p.store), new VirtualClock(), false);
      after.mailer.auto(1 * SEC, 1 * SEC);
      after.box.start();
      after.clock.advance(2 * HOUR);
      const got: Record<string, number> = {};
      const mails: Record<string, number> = {};
      for (const m of after.mailer.delivered) {
        got[m.key] = (got[m.key] ?? 0) + m.count;
        mails[m.key] = (mails[m.key] ?? 0) + 1;
      }
      for (const key of ["a", "b", "c"]) {
        const raised = p.raised[key] ?? 0;
        const maybe = raised + (p.raising === key ? 1 : 0); // the raise being cut may or may not have been stored
        const before = p.delivered[key] ?? 0;
        const now = got[key] ?? 0;
        const where = `${p.name}, key ${key}: raised ${raised}, delivered before ${before}, after restart ${now}`;
        // Nothing lost.
        expect(before + now, where).toBeGreaterThanOrEqual(raised);
        // Nothing invented.
        expect(now, where).toBeLessThanOrEqual(maybe);
        if (!p.started.has(key)) {
          // Never handed to the module: sent exactly once, as one mail, after the restart.
          expect(before, where).toBe(0);
          expect(now === raised || now === maybe, where).toBe(true);
          expect(mails[key] ?? 0, where).toBe(now > 0 ? 1 : 0);
        } else if (before >= raised) {
          // Delivered and its entry removed: not again. (Delivered but the removal cut: may go again.)
          const stillStored = p.store.keys().some((k) => k.charAt(0) === "o" && storedText(p.store, k).includes(`"${key}"`));
          if (!stillStored) expect(now, where).toBe(0);
        } else {
          // Handed to the module, result unknown: sent again, at least once.
          expect(now, where).toBeGreaterThanOrEqual(raised - before);
        }
      }
      expect(after.stored(), p.name).toEqual([]);
    }
  });

  it("a retry's backoff keeps what was left of it across a restart, instead of going at once", () => {
    const store = new MemoryStore();
    const a = rig({}, store);
    a.mailer.auto(1 * SEC, 1 * SEC);
    a.mailer.outcome = () => fail(E_TIMEOUT);
    a.box.raise("a", "A", "");
    a.clock.advance(2 * SEC); // failed at 2 s: kept for a retry 15-30 s later
    const e = JSON.parse(storedText(store, "o1")) as number[];
    const left = e[10] - e[12]; // notBefore - savedAt
    expect(left).toBeGreaterThanOrEqual(15 * SEC);
    expect(left).toBeLessThanOrEqual(30 * SEC);
    a.clock.advance(5 * SEC); // cut 5 s later: nothing written since the failure
    a.box.stop();
    const b = rig({}, store); // the clock from 0
    b.mailer.auto(1 * SEC, 1 * SEC);
    b.clock.advance(left - 1);
    expect(b.mailer.radios).toBe(0);
    b.clock.advance(1);
    expect(b.mailer.radios).toBe(1);
    b.clock.advance(MIN);
    expect(b.mailer.delivered.map((m) => [m.key, m.attempt])).toEqual([["a", 2]]);
  });

  it("the heartbeat's period runs across restarts: a board that restarts every 20 hours still beats daily", () => {
    const store = new MemoryStore();
    const beats: number[] = []; // in the board's running time: the lives' lengths added up
    for (let life = 0; life < 5; life++) {
      const r = rig({ heartbeatMs: 24 * HOUR }, store); // each life's clock starts from 0
      r.mailer.auto(1 * SEC, 1 * SEC);
      r.clock.advance(20 * HOUR);
      for (const m of r.mailer.accepted) beats.push(life * 20 * HOUR + m.at);
      r.box.stop();
    }
    expect(beats).toEqual([24 * HOUR + SEC, 48 * HOUR + SEC, 72 * HOUR + SEC, 96 * HOUR + SEC]);
  });

  it("a restart costs the heartbeat's period at most the hour since its record was written", () => {
    const store = new MemoryStore();
    const a = rig({ heartbeatMs: 24 * HOUR }, store);
    a.clock.advance(10 * HOUR + 59 * MIN); // the record was last written at 10 h
    a.box.stop();
    const b = rig({ heartbeatMs: 24 * HOUR }, store);
    b.mailer.auto(1 * SEC, 1 * SEC);
    b.clock.advance(14 * HOUR - 1);
    expect(b.mailer.radios).toBe(0);
    b.clock.advance(2 * SEC);
    expect(b.mailer.accepted.map((m) => [m.key, m.at])).toEqual([[HEARTBEAT_KEY, 14 * HOUR + SEC]]);
  });

  it("an entry of the earlier format (no write time) keeps its times relative to its last raise", () => {
    const store = new MemoryStore();
    // [id, state, key, title, text, count, firstAt, lastAt, attempts, code, notBefore, throttled]: a clock days ahead
    const old = [4, 0, "k", "Old", "", 2, 5 * 24 * HOUR, 5 * 24 * HOUR + MIN, 1, 1002, 5 * 24 * HOUR + 20 * MIN, 0];
    store.write("o4", new Uint8Array(Buffer.from(JSON.stringify(old), "latin1")));
    const r = rig({}, store);
    r.mailer.auto(1 * SEC, 1 * SEC);
    r.clock.advance(19 * MIN - 1);
    expect(r.mailer.radios).toBe(0); // its backoff keeps its 19 minutes...
    r.clock.advance(MIN);
    const m = r.mailer.delivered[0];
    expect([m.key, m.id, m.count, m.attempt]).toEqual(["k", 4, 2, 2]); // ...counted from its last raise
    expect(m.mail.body).toContain("Occurrences: 2, first 1201 s before this mail, last 1141 s before this mail");
  });

  it("power cut during the send: the resend has the same mail id and says attempt 2", () => {
    const store = new MemoryStore();
    const a = rig({}, store);
    a.clock.advance(HOUR);
    a.box.raise("a", "A", "");
    a.mailer.finishRadio();
    const first = a.mailer.inFlight() as Mail;
    a.box.stop();
    const b = rig({}, snapshot(store));
    expect(b.logs).toContainEqual([LOG_WARN, "resending 1 mail(s) interrupted by a restart"]);
    b.mailer.finishRadio();
    const again = b.mailer.inFlight() as Mail;
    expect([again.id, again.attempt]).toEqual([first.id, first.attempt + 1]);
    expect(again.subject).toBe(first.subject);
  });
});

// --- an alarm storm -----------------------------------------------------------------------------

describe("an alarm storm", () => {
  for (const [capacity, keys, skew] of [
    [32, 5, 1],
    [4, 6, 1],
    [6, 12, 1],
    [4, 12, 4], // most raises from a few keys, some keys rare
    [5, 30, 3],
  ]) {
    it(`1,000 raises of ${keys} keys within one minute (capacity ${capacity}, skew ${skew}): few mails, a bounded Store, every raise accounted for`, () => {
      const store = countingStore();
      const perHour = 10;
      const r = rig({ capacity, perHour, coalesceMs: 10 * MIN }, store);
      r.mailer.auto(2 * SEC, 8 * SEC);
      const rand = prng(capacity * 1000 + keys * 10 + skew);
      const names: string[] = [];
      for (let i = 0; i < keys; i++) names.push("sensor-" + i);
      for (let i = 0; i < 1000; i++) {
        r.clock.advance(Math.floor(rand() * 60)); // 1,000 raises within 60 s
        r.box.raise(names[Math.floor(Math.pow(rand(), skew) * keys)], "Sensor", "");
      }
      expect(r.clock.now()).toBeLessThanOrEqual(MIN);
      r.clock.advance(6 * HOUR);
      const d = r.mailer.delivered;
      // Bounded: at most perHour mails in any hour, and few in all.
      for (let i = 0; i + perHour < d.length; i++) expect(d[i + perHour].at - d[i].at).toBeGreaterThanOrEqual(HOUR);
      expect(d.filter((m) => m.at < HOUR).length).toBeLessThanOrEqual(perHour);
      expect(d.length).toBeLessThanOrEqual(2 * keys + 4);
      expect(store.most()).toBeLessThanOrEqual(capacity);
      // Every raise counted once, every key named.
      expect(d.reduce((s, m) => s + m.count, 0)).toBe(1000);
      for (const k of names) {
        const named = d.some((m) => m.key === k || (m.key === OVERFLOW_KEY && m.detail.split(", ").includes(k)));
        expect(named, k).toBe(true);
      }
      expect(r.stored()).toEqual([]);
      expect(r.box.failed()).toEqual([]);
    });
  }
});

