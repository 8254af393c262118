// The alarm outbox (firmware/alarm/outbox.ts) as the boards of the full core run it: a mailer
// that reports causes, a wall clock where the board has one, the debounced inputs
// (firmware/alarm/inputs.ts), a mailer that never answers. These were the full core's own
// outbox's tests; the outbox every board runs keeps their guarantees (test/alarm/outbox.test.ts
// has the rest, with the compact mailer's outcomes).
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { E_NO_ANSWER } from "../../firmware/errors.js";
import { countOf, MemStore, World, FakeMailer } from "./fakes.js";
import { FAILED, HOUR, MIN, QUEUED, SENDING, device, rig, storedEntries, withInputs } from "./helpers.js";
import { createOutbox } from "../../firmware/alarm/outbox.js";

describe("the outbox on a full-core board: sending and the mail's text", () => {
  it("sends a raised alarm at once with board, times, signal and registration", () => {
    const r = rig({ wallTime: () => Date.UTC(2024, 4, 1, 12, 34, 56) });
    r.mailer.radioState = { csq: 18, stat: 5, clock: "2024-05-01 12:34:56 UTC" };
    const id = r.raise({ key: "leak", title: "Water leak", text: "sensor 2 wet" });
    expect(r.world.delivered.length).toBe(1);
    const m = r.world.delivered[0];
    expect(m.id).toBe(id);
    expect(m.to).toEqual(["ops@example.com"]);
    expect(m.subject).toBe("[pump-house] ALARM Water leak");
    expect(m.body).toContain("Board: pump-house");
    expect(m.body).toContain("Alarm: Water leak (leak)");
    expect(m.body).toContain("Detail: sensor 2 wet");
    expect(m.body).toContain("Raised: 0 s before this mail (2024-05-01 12:34:56 UTC)");
    expect(m.body).toContain("Module clock: 2024-05-01 12:34:56 UTC");
    expect(m.body).toContain("Signal: CSQ 18 (-77 dBm), registration 5");
    expect(m.body).toContain("Mail id: " + id + ", attempt 1");
    expect(r.mailer.radioCalls).toBe(1);
  });

  it("asks the radio state just before each send, not at raise time", () => {
    const r = rig({}, undefined, 1000);
    r.raise({ key: "a", title: "A" }); // sent at once: a's mail takes a second
    r.mailer.radioState = { csq: 99, stat: 2, clock: "" };
    r.raise({ key: "b", title: "B" });
    r.mailer.radioState = { csq: 5, stat: 1, clock: "" };
    r.clock.advance(MIN);
    expect(r.world.delivered[1].body).toContain("Signal: CSQ 5 (-103 dBm), registration 1");
  });

  it("UTF-8 titles and texts go through unchanged (the mail layer encodes them)", () => {
    const r = rig({});
    r.raise({ key: "t", title: "温度过高 🔥", text: "Überhitzung" });
    expect(r.world.delivered[0].subject).toBe("[pump-house] ALARM 温度过高 🔥");
    expect(r.world.delivered[0].body).toContain("Detail: Überhitzung");
  });

  it("clips long fields by UTF-8 bytes; an empty key, or one the AT gate would refuse, is refused with -1", () => {
    const r = rig({}, () => "silent");
    r.raise({ key: "k", title: "é".repeat(100), text: "x".repeat(5000) });
    const e = r.entries()[0];
    expect(e.title).toBe("é".repeat(32));
    expect(e.text.length).toBe(512);
    expect(r.raise({ key: "", title: "x" })).toBe(-1);
    expect(r.raise({ key: "zwölf", title: "x" })).toBe(-1);
    expect(r.raise({ key: 'a"b', title: "x" })).toBe(-1);
    expect(r.entries().length).toBe(1);
  });

  it("the largest entry fits one 4,000-byte Store value (Moddable Preference): a text of control characters, a title of emoji, a long cause", () => {
    const store = new MemStore(); // throws on a value over 4,000 bytes, as Preference does
    const r = rig({}, () => "permanent", 0, store);
    r.mailer.radioState.clock = "";
    const key = "\\".repeat(32);
    expect(r.raise({ key, title: "🔥".repeat(20), text: "\u0001".repeat(600) })).toBeGreaterThan(0);
    const bytes = Math.max(...store.keys().map((k) => store.read(k)!.length));
    expect(bytes).toBeGreaterThan(3000);
    expect(bytes).toBeLessThanOrEqual(4000);
    expect(r.box.failed()[0].key).toBe(key);
  });
});

describe("the outbox on a full-core board: coalescing and the wall clock", () => {
  it("repeats within the window become one mail saying how many and when", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.raise({ key: "door", title: "Door open" }); // mailed at once
    expect(r.world.delivered.length).toBe(1);
    r.clock.advance(1 * MIN);
    const id = r.raise({ key: "door", title: "Door open" });
    r.clock.advance(1 * MIN);
    expect(r.raise({ key: "door", title: "Door open" })).toBe(id);
    r.clock.advance(1 * MIN);
    expect(r.raise({ key: "door", title: "Door open" })).toBe(id);
    r.clock.advance(5 * MIN); // t = 8 min after the first mail: still held
    expect(r.world.delivered.length).toBe(1);
    r.clock.advance(2 * MIN); // window closes 10 min after the first mail
    expect(r.world.delivered.length).toBe(2);
    const m = r.world.delivered[1];
    expect(m.subject).toBe("[pump-house] ALARM Door open (x3)");
    expect(m.body).toContain("Occurrences: 3, first 540 s before this mail, last 420 s before this mail");
    expect(r.world.deliveredAt[1] - r.world.deliveredAt[0]).toBe(10 * MIN);
  });

  it("with a wall clock the first and last times are given in UTC too", () => {
    const clock = new VirtualClock(0);
    const base = Date.UTC(2025, 0, 31, 23, 59, 0);
    const r = rig({ coalesceMs: 5 * MIN, wallTime: () => base + clock.now() }, undefined, 0, undefined, clock);
    r.raise({ key: "x", title: "X" });
    clock.advance(30000);
    r.raise({ key: "x", title: "X" });
    clock.advance(60000);
    r.raise({ key: "x", title: "X" });
    clock.advance(10 * MIN);
    const body = r.world.delivered[1].body;
    expect(body).toContain("first 270 s before this mail (2025-01-31 23:59:30 UTC)");
    expect(body).toContain("last 210 s before this mail (2025-02-01 00:00:30 UTC)");
    expect(r.world.deliveredAt[1]).toBe(5 * MIN); // 2025-02-01 00:04:00 UTC
  });

  it("different keys are separate mails; a key quiet for longer than the window is mailed at once", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.raise({ key: "a", title: "A" });
    r.raise({ key: "b", title: "B" });
    expect(r.world.delivered.map((m) => m.subject)).toEqual(["[pump-house] ALARM A", "[pump-house] ALARM B"]);
    r.clock.advance(11 * MIN);
    r.raise({ key: "a", title: "A" });
    expect(r.world.delivered.length).toBe(3);
    expect(r.entries().length).toBe(0); // delivered entries leave the Store
  });
});

describe("the outbox on a full-core board: debounced inputs", () => {
  const rule = { key: "leak", title: "Leak", pin: 4, activeLevel: 1, debounceMs: 50, notifyClear: true, raiseAtStart: true };

  it("bounces shorter than the debounce time raise nothing; a stable level raises once, after debounceMs", () => {
    const s = { inputs: [rule] };
    const r = rig(s);
    const input = withInputs(r, s, { 4: 0 })[4];
    for (let i = 0; i < 10; i++) {
      input.set(i % 2 === 0 ? 1 : 0);
      r.clock.advance(20);
    }
    // ended at level 0 after bouncing: nothing changed
    r.clock.advance(100);
    expect(r.world.started.length).toBe(0);
    const t0 = r.clock.now();
    input.set(1);
    r.clock.advance(49);
    expect(r.world.started.length).toBe(0);
    r.clock.advance(1);
    expect(r.world.delivered.length).toBe(1);
    expect(r.world.deliveredAt[0]).toBe(t0 + 50);
    expect(r.world.delivered[0].subject).toBe("[pump-house] ALARM Leak");
    input.set(0);
    r.clock.advance(50);
    expect(r.world.delivered.length).toBe(2);
    expect(r.world.delivered[1].subject).toBe("[pump-house] ALARM Leak cleared");
    expect(r.world.delivered[1].body).toContain("Detail: input back to normal");
  });

  it("an input already active at start raises (unless told not to); active-low works; a pin the board lacks is left out", () => {
    const s = {
      inputs: [
        { ...rule, key: "a", title: "A", pin: 1, activeLevel: 0, notifyClear: false },
        { ...rule, key: "b", title: "B", pin: 2, activeLevel: 0, notifyClear: false, raiseAtStart: false },
        { ...rule, key: "c", title: "C", pin: 3, activeLevel: 0 },
      ],
    };
    const r = rig(s);
    withInputs(r, s, { 1: 0, 2: 0 });
    r.clock.advance(0);
    expect(r.world.delivered.map((m) => m.subject)).toEqual(["[pump-house] ALARM A"]);
  });

  it("a chattering input (1,000 edges in a minute) becomes a few coalesced mails", () => {
    const s = { coalesceMs: 10 * MIN, inputs: [{ ...rule, notifyClear: false, raiseAtStart: false }] };
    const r = rig(s);
    const input = withInputs(r, s, { 4: 0 })[4];
    for (let i = 0; i < 1000; i++) {
      input.set(input.level === 0 ? 1 : 0);
      r.clock.advance(60); // each level holds 60 ms > 50 ms debounce: 500 real activations
    }
    r.clock.advance(HOUR);
    expect(r.world.delivered.length).toBe(2);
    let total = 0;
    for (const m of r.world.delivered) total += countOf(m.subject);
    expect(total).toBe(500);
  });
});

describe("the outbox on a full-core board: failures and the failed list", () => {
  it("keeps a permanent failure with its code and cause, reports it in later mails, and forgets it when dismissed", () => {
    let fail = true;
    const r = rig({}, () => (fail ? "permanent" : "deliver"));
    const id = r.raise({ key: "a", title: "A" });
    r.clock.advance(HOUR);
    expect(r.world.started.length).toBe(1);
    expect(r.box.failed()).toEqual([{ id, key: "a", code: 675, cause: "SMTP 550 mailbox unavailable" }]);
    expect(r.logs.some((l) => l.indexOf("not sent") >= 0)).toBe(true);
    // survives a restart
    r.reboot();
    expect(r.box.failed().map((e) => e.id)).toEqual([id]);
    // the next mail reports it
    fail = false;
    r.raise({ key: "b", title: "B" });
    expect(r.world.delivered[0].body).toContain("  failed " + id + " a: error 675 (SMTP 550 mailbox unavailable)");
    r.box.dismiss(id);
    expect(r.box.failed()).toEqual([]);
    expect(r.entries()).toEqual([]);
  });

  it("gives up after maxAttempts retryable failures and keeps the entry as failed, with the last cause", () => {
    const r = rig({ maxAttempts: 3 }, () => "retry");
    r.raise({ key: "a", title: "A" });
    r.clock.advance(HOUR);
    expect(r.world.started.length).toBe(3);
    expect(r.box.failed()).toEqual([{ id: 1, key: "a", code: 654, cause: "network error" }]);
    expect(r.entries()[0]).toMatchObject({ state: FAILED, attempts: 3 });
  });

  it("a mailer that never answers is given up on after an hour (1043, retried); a late delivery still counts", () => {
    const r = rig({}, () => "silent");
    r.raise({ key: "a", title: "A" });
    r.clock.advance(HOUR - 1);
    expect(r.entries()[0].state).toBe(SENDING);
    r.clock.advance(1);
    expect(r.entries()[0]).toMatchObject({ state: QUEUED, code: E_NO_ANSWER, attempts: 1 });
    // the mailer is still busy with it: nothing else starts; then its delivery comes, before the retry
    r.clock.advance(10 * 1000);
    expect(r.world.started.length).toBe(1);
    r.mailer.held!({ delivered: true, code: 0, proto: 0, kind: 0 });
    expect(r.entries()).toEqual([]);
    r.clock.advance(HOUR);
    expect(r.world.started.length).toBe(1);
    expect(r.world.delivered.length).toBe(1);
  });

  it("a late failure after the hour changes nothing: the entry keeps its retry", () => {
    const r = rig({}, () => "silent");
    r.raise({ key: "a", title: "A" });
    r.clock.advance(HOUR);
    r.mailer.held!({ delivered: false, code: 654, proto: 0, kind: 4 });
    expect(r.entries()[0]).toMatchObject({ state: QUEUED, code: E_NO_ANSWER });
    r.mailer.decide = () => "deliver";
    r.clock.advance(HOUR);
    expect(r.world.delivered.map((m) => m.id)).toEqual([1]);
  });

  it("never overlaps two sends", () => {
    const r = rig({}, undefined, 5000);
    for (let i = 0; i < 5; i++) r.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(HOUR);
    expect(r.world.delivered.length).toBe(5);
    expect(r.mailer.overlapped).toBe(false);
  });
});

describe("the outbox on a full-core board: the per-recipient limit", () => {
  it("sends at most 10 mails an hour; held-back mails go when allowed", () => {
    const r = rig({ coalesceMs: 0 });
    for (let i = 0; i < 14; i++) r.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(59 * MIN);
    expect(r.world.delivered.length).toBe(10);
    r.clock.advance(1 * MIN);
    expect(r.world.delivered.length).toBe(14);
    expect(r.world.deliveredAt[10] - r.world.deliveredAt[0]).toBe(HOUR);
  });

  it("counts a mail from its confirmed delivery: a slow send does not let the next one arrive within the hour", () => {
    // The provider counts a mail when it arrives, which can be as late as the confirmation.
    const r = rig({ coalesceMs: 0, perHour: 1 }, undefined, 10 * MIN);
    r.raise({ key: "a", title: "A" });
    r.raise({ key: "b", title: "B" });
    r.clock.advance(3 * HOUR);
    expect(r.world.started.length).toBe(2);
    const confirmed = r.world.started[0].at + 10 * MIN;
    expect(r.world.started[1].at - confirmed).toBeGreaterThanOrEqual(HOUR);
  });

  it("failed attempts do not count; every recipient (to, cc, bcc) gets each mail", () => {
    const r = rig({ coalesceMs: 0, to: ["a@x.org"], cc: ["B@x.org"], bcc: ["c@x.org"], perHour: 2 }, (_m, n) => (n === 1 ? "retry" : "deliver"));
    for (let i = 0; i < 3; i++) r.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(30 * MIN);
    expect(r.world.delivered.length).toBe(2);
    expect(r.world.delivered[0].cc).toEqual(["B@x.org"]);
    expect(r.world.delivered[0].bcc).toEqual(["c@x.org"]);
    r.clock.advance(31 * MIN);
    expect(r.world.delivered.length).toBe(3);
  });
});

describe("the outbox on a full-core board: idle PDP and heartbeat", () => {
  it("deactivates PDP once after 30 idle minutes, again after the next mail", () => {
    const r = rig({});
    r.raise({ key: "a", title: "A" });
    const sent = r.clock.now();
    r.mailer.idles = 0;
    r.clock.advance(30 * MIN - 1);
    expect(r.mailer.idles).toBe(0);
    r.clock.advance(1);
    expect(r.mailer.idles).toBe(1);
    expect(r.clock.now() - sent).toBe(30 * MIN);
    r.clock.advance(5 * HOUR);
    expect(r.mailer.idles).toBe(1);
    r.raise({ key: "b", title: "B" });
    r.clock.advance(30 * MIN);
    expect(r.mailer.idles).toBe(2);
  });

  it("activity restarts the idle timer", () => {
    const r = rig({ coalesceMs: 0 });
    r.clock.advance(30 * MIN); // start-up: the link state is unknown, so one idle() after 30 min
    expect(r.mailer.idles).toBe(1);
    r.raise({ key: "a", title: "A" });
    r.clock.advance(20 * MIN);
    r.raise({ key: "b", title: "B" });
    r.clock.advance(20 * MIN);
    expect(r.mailer.idles).toBe(1);
    r.clock.advance(10 * MIN);
    expect(r.mailer.idles).toBe(2);
  });

  it("sends a daily heartbeat, and a reboot does not restart its period", () => {
    const r = rig({ heartbeatMs: 24 * HOUR });
    r.clock.advance(20 * HOUR);
    r.reboot();
    r.clock.advance(4 * HOUR - 1);
    expect(r.world.delivered.length).toBe(0);
    r.clock.advance(1);
    expect(r.world.delivered.length).toBe(1);
    expect(r.world.delivered[0].subject).toBe("[pump-house] heartbeat");
    expect(r.world.delivered[0].body).toContain("Outbox: 0 more queued, 0 failed");
    r.clock.advance(24 * HOUR);
    expect(r.world.delivered.length).toBe(2);
  });
});

describe("the outbox on a full-core board: restarts", () => {
  it("the limit window and backoffs keep their age at the last write; time powered off counts as zero", () => {
    const store = new MemStore();
    const world = new World();
    const c1 = new VirtualClock(5 * HOUR);
    const m1 = new FakeMailer(c1, world, () => "deliver", 0);
    const s1 = createOutbox(c1, store, m1, device({ to: ["o@x.org"], coalesceMs: 0 }), () => {});
    s1.start();
    for (let i = 0; i < 11; i++) s1.raise("k" + i, "K" + i, "");
    c1.advance(10 * MIN); // 10 sent at 5 h; the 11th waits until 6 h
    expect(world.delivered.length).toBe(10);
    s1.stop();
    m1.alive = false;
    // power back (the clock starts again near 0): the last write was at 5 h (the 10th send),
    // so the held mail waits a full hour from the restart, never less
    const c2 = new VirtualClock(0);
    const m2 = new FakeMailer(c2, world, () => "deliver", 0);
    const s2 = createOutbox(c2, store, m2, device({ to: ["o@x.org"], coalesceMs: 0 }), () => {});
    s2.start();
    c2.advance(HOUR - 1);
    expect(world.delivered.length).toBe(10);
    c2.advance(1);
    expect(world.delivered.length).toBe(11);
  });

  it("queued and backed-off entries survive a restart, with ids never reused", () => {
    const clock = new VirtualClock(0);
    const r = rig({}, () => "retry", 0, new MemStore(), clock);
    const a = r.raise({ key: "a", title: "A" });
    r.mailer.decide = () => "deliver";
    r.reboot();
    const b = r.raise({ key: "b", title: "B" });
    expect(b).toBeGreaterThan(a);
    clock.advance(MIN);
    expect(r.world.delivered.map((x) => x.id).sort()).toEqual([a, b].sort());
    expect(r.logs.some((l) => l.indexOf("resending") >= 0)).toBe(false); // nothing was in flight
  });

  it("what a board's Store holds is what storedEntries reads (the fleet reads flash the same way)", () => {
    const store = new MemStore();
    const r = rig({ maxAttempts: 1 }, () => "permanent", 0, store);
    r.raise({ key: "x", title: "X", text: "t" });
    expect(storedEntries(store)).toEqual([{ id: 1, state: FAILED, key: "x", title: "X", text: "t", count: 1, attempts: 1, code: 675, cause: "SMTP 550 mailbox unavailable" }]);
  });
});
