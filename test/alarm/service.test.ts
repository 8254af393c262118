import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { ENTRY_DONE, ENTRY_FAILED, ENTRY_QUEUED } from "../../firmware/alarm/types.js";
import { AlarmService } from "../../firmware/alarm/service.js";
import { FakeInput, FakeMailer, MemStore, World, countOf } from "./fakes.js";
import { HOUR, MIN, rig } from "./helpers.js";

describe("AlarmService: sending and templates", () => {
  it("sends a raised alarm at once with board, time, signal and registration", () => {
    const r = rig({ wallTime: () => Date.UTC(2024, 4, 1, 12, 34, 56) });
    r.mailer.radio = { csq: 18, registered: true, stat: 5 };
    const id = r.svc.raise({ key: "leak", title: "Water leak", text: "sensor 2 wet" });
    r.clock.advance(0);
    expect(r.world.delivered.length).toBe(1);
    const m = r.world.delivered[0];
    expect(m.id).toBe(id);
    expect(m.to).toEqual(["ops@example.com"]);
    expect(m.subject).toBe("[pump-house] ALARM Water leak");
    expect(m.body).toContain("Board: pump-house");
    expect(m.body).toContain("Alarm: Water leak (leak)");
    expect(m.body).toContain("Detail: sensor 2 wet");
    expect(m.body).toContain("Raised: 2024-05-01 12:34:56 UTC");
    expect(m.body).toContain("Signal: CSQ 18 (-77 dBm), registered (roaming)");
    expect(m.body).toContain("Mail id: " + id + ", attempt 1");
    expect(r.mailer.radioCalls).toBe(1);
  });

  it("asks the radio state just before each send, not at raise time", () => {
    const r = rig({});
    r.mailer.radio = { csq: 99, registered: false, stat: 2 };
    r.svc.raise({ key: "a", title: "A" });
    r.mailer.radio = { csq: 5, registered: true, stat: 1 };
    r.clock.advance(0);
    expect(r.world.delivered[0].body).toContain("Signal: CSQ 5 (-103 dBm), registered (home)");
  });

  it("UTF-8 titles and texts go through unchanged (the mail layer encodes them)", () => {
    const r = rig({});
    r.svc.raise({ key: "t", title: "温度过高 🔥", text: "Überhitzung" });
    r.clock.advance(0);
    expect(r.world.delivered[0].subject).toBe("[pump-house] ALARM 温度过高 🔥");
    expect(r.world.delivered[0].body).toContain("Detail: Überhitzung");
  });

  it("clips long fields by UTF-8 bytes and rejects an empty key", () => {
    const r = rig({});
    r.svc.raise({ key: "k", title: "é".repeat(100), text: "x".repeat(5000) });
    const e = r.svc.entries()[0];
    expect(e.title).toBe("é".repeat(32));
    expect(e.text.length).toBe(512);
    expect(() => r.svc.raise({ key: "", title: "x" })).toThrow();
  });
});

describe("AlarmService: coalescing", () => {
  it("repeats within the window become one mail saying how many and when", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.svc.raise({ key: "door", title: "Door open" }); // mailed at once
    r.clock.advance(0);
    expect(r.world.delivered.length).toBe(1);
    r.clock.advance(1 * MIN);
    const id = r.svc.raise({ key: "door", title: "Door open" });
    r.clock.advance(1 * MIN);
    expect(r.svc.raise({ key: "door", title: "Door open" })).toBe(id);
    r.clock.advance(1 * MIN);
    expect(r.svc.raise({ key: "door", title: "Door open" })).toBe(id);
    r.clock.advance(5 * MIN); // t = 8 min after the first mail: still held
    expect(r.world.delivered.length).toBe(1);
    r.clock.advance(2 * MIN); // window closes 10 min after the first mail
    expect(r.world.delivered.length).toBe(2);
    const m = r.world.delivered[1];
    expect(m.subject).toBe("[pump-house] ALARM Door open (x3)");
    expect(m.body).toContain("Occurrences: 3 in this mail");
    expect(m.body).toContain("First: 9 min 0 s before this mail");
    expect(m.body).toContain("Last: 7 min 0 s before this mail");
    expect(r.world.deliveredAt[1] - r.world.deliveredAt[0]).toBe(10 * MIN);
  });

  it("with a wall clock the first and last times are printed in UTC", () => {
    const clock = new VirtualClock(0);
    const base = Date.UTC(2025, 0, 31, 23, 59, 0);
    const r = rig({ coalesceMs: 5 * MIN, wallTime: () => base + clock.now() }, undefined, 0, undefined, clock);
    r.svc.raise({ key: "x", title: "X" });
    clock.advance(30000);
    r.svc.raise({ key: "x", title: "X" });
    clock.advance(60000);
    r.svc.raise({ key: "x", title: "X" });
    clock.advance(10 * MIN);
    const body = r.world.delivered[1].body;
    expect(body).toContain("First: 2025-01-31 23:59:30 UTC");
    expect(body).toContain("Last: 2025-02-01 00:00:30 UTC");
    expect(body).toContain("Sent: 2025-02-01 00:04:00 UTC");
  });

  it("different keys are separate mails; a key quiet for longer than the window is mailed at once", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    r.svc.raise({ key: "a", title: "A" });
    r.svc.raise({ key: "b", title: "B" });
    r.clock.advance(0);
    expect(r.world.delivered.map((m) => m.subject)).toEqual(["[pump-house] ALARM A", "[pump-house] ALARM B"]);
    r.clock.advance(11 * MIN);
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(0);
    expect(r.world.delivered.length).toBe(3);
    expect(r.svc.entries().filter((e) => e.state === ENTRY_DONE).length).toBeLessThanOrEqual(1);
  });
});

describe("AlarmService: debounced input", () => {
  it("bounces shorter than the debounce time raise nothing; a stable level raises once, after debounceMs", () => {
    const r = rig({});
    const input = new FakeInput(0);
    r.svc.watch(input, { key: "leak", title: "Leak", activeLevel: 1, debounceMs: 50, notifyClear: true, raiseAtStart: true });
    for (let i = 0; i < 10; i++) {
      input.set(i % 2 === 0 ? 1 : 0);
      r.clock.advance(20);
    }
    // ended at level 0 after bouncing: nothing changed
    r.clock.advance(100);
    expect(r.svc.entries().length).toBe(0);
    const t0 = r.clock.now();
    input.set(1);
    r.clock.advance(49);
    expect(r.svc.entries().length).toBe(0);
    r.clock.advance(1);
    expect(r.world.delivered.length).toBe(1);
    expect(r.world.deliveredAt[0]).toBe(t0 + 50);
    expect(r.world.delivered[0].subject).toBe("[pump-house] ALARM Leak");
    input.set(0);
    r.clock.advance(50);
    expect(r.world.delivered.length).toBe(2);
    expect(r.world.delivered[1].subject).toBe("[pump-house] ALARM Leak cleared");
  });

  it("an input already active at start raises (unless told not to); active-low works", () => {
    const r = rig({});
    r.svc.watch(new FakeInput(0), { key: "a", title: "A", activeLevel: 0, debounceMs: 50, notifyClear: false, raiseAtStart: true });
    r.svc.watch(new FakeInput(0), { key: "b", title: "B", activeLevel: 0, debounceMs: 50, notifyClear: false, raiseAtStart: false });
    r.clock.advance(0);
    expect(r.world.delivered.map((m) => m.subject)).toEqual(["[pump-house] ALARM A"]);
  });

  it("a chattering input (1,000 edges in a minute) becomes a few coalesced mails", () => {
    const r = rig({ coalesceMs: 10 * MIN });
    const input = new FakeInput(0);
    r.svc.watch(input, { key: "leak", title: "Leak", activeLevel: 1, debounceMs: 50, notifyClear: false, raiseAtStart: false });
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

describe("AlarmService: failures, retries and the failed list", () => {
  it("retries retryable failures with exponential backoff, each wait between half and all of it (jitter)", () => {
    const r = rig({ backoffBaseMs: 30000 }, (_m, n) => (n <= 3 ? "retry" : "deliver"));
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(10 * MIN);
    const times = r.world.started.map((s) => s.at - r.world.started[0].at);
    expect(times.length).toBe(4);
    [30000, 60000, 120000].forEach((d, i) => {
      expect(times[i + 1] - times[i]).toBeGreaterThanOrEqual(d / 2);
      expect(times[i + 1] - times[i]).toBeLessThan(d);
    });
    expect(r.world.delivered.length).toBe(1);
    expect(r.world.delivered[0].body).toContain("attempt 4");
    expect(r.svc.pending()).toBe(0);
  });

  it("keeps a permanent failure with its code and cause; retry() resends, dismiss() forgets", () => {
    let fail = true;
    const r = rig({}, () => (fail ? "permanent" : "deliver"));
    const id = r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(HOUR);
    expect(r.world.started.length).toBe(1);
    const f = r.svc.failed();
    expect(f.length).toBe(1);
    expect(f[0]).toMatchObject({ id, state: ENTRY_FAILED, code: 675, cause: "SMTP 550 mailbox unavailable" });
    expect(r.logs.some((l) => l.indexOf("failed") >= 0)).toBe(true);
    // survives a restart
    r.reboot();
    expect(r.svc.failed().map((e) => e.id)).toEqual([id]);
    // the next mail reports it
    fail = false;
    r.svc.raise({ key: "b", title: "B" });
    r.clock.advance(0);
    expect(r.world.delivered[0].body).toContain("failed #" + id + " a: SMTP 550 mailbox unavailable");
    expect(r.svc.retry(id)).toBe(true);
    r.clock.advance(0);
    expect(r.world.delivered.length).toBe(2);
    expect(r.svc.failed().length).toBe(0);
    expect(r.svc.dismiss(id)).toBe(false);
  });

  it("a server's \"not now\" (throttling, 4xx) never uses up the attempts: retried up to an hour apart until it goes", () => {
    let open = false;
    const r = rig({ maxAttempts: 3 }, () => (open ? "deliver" : "later"));
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(24 * HOUR);
    const at = r.world.started.map((s) => s.at);
    expect(at.length).toBeGreaterThan(20);
    expect(r.svc.failed()).toEqual([]);
    expect(r.svc.pending()).toBe(1);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(30000);
    expect(at[1] - at[0]).toBeLessThan(60000);
    for (let i = at.length - 4; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(30 * MIN);
    // A network failure after many throttled tries still has all its attempts.
    r.mailer.decide = (_m, n) => (n <= at.length + 2 ? "retry" : "deliver");
    open = true;
    r.clock.advance(2 * HOUR);
    expect(r.world.delivered.length).toBe(1);
    expect(r.svc.failed()).toEqual([]);
  });

  it("an alarm waiting for its retry holds the younger ones back: mails go in raise order", () => {
    const r = rig({ coalesceMs: 0 }, (m, n) => (m.subject.endsWith("A") && n <= 2 ? "retry" : "deliver"));
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(1000);
    r.svc.raise({ key: "b", title: "B" });
    r.svc.raise({ key: "c", title: "C" });
    r.clock.advance(HOUR);
    expect(r.world.delivered.map((m) => m.subject.slice(-1))).toEqual(["A", "B", "C"]);
  });

  it("gives up after maxAttempts retryable failures and keeps the entry as failed", () => {
    const r = rig({ maxAttempts: 3, backoffBaseMs: 1000 }, () => "retry");
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(HOUR);
    expect(r.world.started.length).toBe(3);
    const f = r.svc.failed()[0];
    expect(f.cause).toBe("gave up after 3 attempts: network error");
    expect(r.svc.dismiss(f.id)).toBe(true);
    expect(r.svc.entries().length).toBe(0);
  });

  it("a mailer that never answers is given up on after sendTimeoutMs; a late delivery is still recorded", () => {
    const r = rig({ sendTimeoutMs: 5 * MIN, backoffBaseMs: 10 * MIN }, () => "silent");
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(5 * MIN - 1);
    expect(r.svc.entries()[0].state).toBe(1);
    r.clock.advance(1);
    const e = r.svc.entries()[0];
    expect(e.state).toBe(ENTRY_QUEUED);
    expect(e.cause).toBe("no answer from the mailer");
    // the answer arrives after all, before the retry
    r.mailer.held!({ delivered: true, permanent: false, code: 0, cause: "" });
    expect(r.svc.entries()[0].state).toBe(ENTRY_DONE);
    r.clock.advance(HOUR);
    expect(r.world.started.length).toBe(1);
    expect(r.svc.stats.late).toBe(1);
  });

  it("never overlaps two sends", () => {
    const r = rig({}, undefined, 5000);
    for (let i = 0; i < 5; i++) r.svc.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(HOUR);
    expect(r.world.delivered.length).toBe(5);
    expect(r.mailer.overlapped).toBe(false);
  });
});

describe("AlarmService: per-recipient limit", () => {
  it("sends at most 10 mails an hour to a recipient; held-back mails go when allowed", () => {
    const r = rig({ coalesceMs: 0 });
    for (let i = 0; i < 14; i++) r.svc.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(59 * MIN);
    expect(r.world.delivered.length).toBe(10);
    r.clock.advance(1 * MIN);
    expect(r.world.delivered.length).toBe(14);
    expect(r.world.deliveredAt[10] - r.world.deliveredAt[0]).toBe(HOUR);
  });

  it("the window is persisted: a reboot does not reset it (clock that survives restarts)", () => {
    const r = rig({ coalesceMs: 0, clockSurvivesRestart: true });
    for (let i = 0; i < 12; i++) r.svc.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(30 * MIN);
    expect(r.world.delivered.length).toBe(10);
    r.reboot();
    r.clock.advance(29 * MIN);
    expect(r.world.delivered.length).toBe(10);
    r.clock.advance(1 * MIN);
    expect(r.world.delivered.length).toBe(12);
  });

  it("counts a mail from its confirmed delivery: a slow send does not let the next one arrive within the hour", () => {
    // The provider counts a mail when it arrives, which can be as late as the confirmation.
    const r = rig({ coalesceMs: 0, perRecipientPerHour: 1 }, undefined, 10 * MIN);
    r.svc.raise({ key: "a", title: "A" });
    r.svc.raise({ key: "b", title: "B" });
    r.clock.advance(3 * HOUR);
    expect(r.world.started.length).toBe(2);
    const confirmed = r.world.started[0].at + 10 * MIN;
    expect(r.world.started[1].at - confirmed).toBeGreaterThanOrEqual(HOUR);
  });

  it("failed attempts give their count back; every recipient (to, cc, bcc) is limited", () => {
    const r = rig({ coalesceMs: 0, to: ["a@x.org"], cc: ["B@x.org"], bcc: ["c@x.org"], perRecipientPerHour: 2, backoffBaseMs: 1000 },
      (_m, n) => (n === 1 ? "retry" : "deliver"));
    for (let i = 0; i < 3; i++) r.svc.raise({ key: "k" + i, title: "K" + i });
    r.clock.advance(30 * MIN);
    expect(r.world.delivered.length).toBe(2);
    expect(r.world.delivered[0].cc).toEqual(["B@x.org"]);
    expect(r.world.delivered[0].bcc).toEqual(["c@x.org"]);
    r.clock.advance(31 * MIN);
    expect(r.world.delivered.length).toBe(3);
  });
});

describe("AlarmService: idle PDP and heartbeat", () => {
  it("deactivates PDP once after 30 idle minutes, again after the next mail", () => {
    const r = rig({});
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(0);
    const sent = r.clock.now();
    r.mailer.idles = 0;
    r.clock.advance(30 * MIN - 1);
    expect(r.mailer.idles).toBe(0);
    r.clock.advance(1);
    expect(r.mailer.idles).toBe(1);
    expect(r.clock.now() - sent).toBe(30 * MIN);
    r.clock.advance(5 * HOUR);
    expect(r.mailer.idles).toBe(1);
    r.svc.raise({ key: "b", title: "B" });
    r.clock.advance(30 * MIN);
    expect(r.mailer.idles).toBe(2);
  });

  it("activity restarts the idle timer", () => {
    const r = rig({ coalesceMs: 0 });
    r.clock.advance(30 * MIN); // start-up: the link state is unknown, so one idle() after 30 min
    expect(r.mailer.idles).toBe(1);
    r.svc.raise({ key: "a", title: "A" });
    r.clock.advance(20 * MIN);
    r.svc.raise({ key: "b", title: "B" });
    r.clock.advance(20 * MIN);
    expect(r.mailer.idles).toBe(1);
    r.clock.advance(10 * MIN);
    expect(r.mailer.idles).toBe(2);
  });

  it("sends a daily heartbeat, and a reboot does not restart its period", () => {
    const r = rig({ heartbeatMs: 24 * HOUR, clockSurvivesRestart: true });
    r.clock.advance(20 * HOUR);
    r.reboot();
    r.clock.advance(4 * HOUR - 1);
    expect(r.world.delivered.length).toBe(0);
    r.clock.advance(1);
    expect(r.world.delivered.length).toBe(1);
    expect(r.world.delivered[0].subject).toBe("[pump-house] heartbeat");
    expect(r.world.delivered[0].body).toContain("Outbox: 0 queued, 0 failed");
    r.clock.advance(24 * HOUR);
    expect(r.world.delivered.length).toBe(2);
  });
});

describe("AlarmService: restart with a Clock that restarts at 0", () => {
  it("the limit window and backoffs keep their age at the last write; time powered off counts as zero", () => {
    const store = new MemStore();
    const world = new World();
    const c1 = new VirtualClock(5 * HOUR);
    const m1 = new FakeMailer(c1, world, () => "deliver", 0);
    const s1 = new AlarmService({ clock: c1, store, mailer: m1, board: "b", to: ["o@x.org"], coalesceMs: 0 });
    s1.start();
    for (let i = 0; i < 11; i++) s1.raise({ key: "k" + i, title: "K" + i });
    c1.advance(10 * MIN); // 10 sent at 5 h; the 11th waits until 6 h
    expect(world.delivered.length).toBe(10);
    s1.stop();
    m1.alive = false;
    // power back (the clock starts again near 0): the last write was at 5 h (the 10th send),
    // so the held mail waits a full hour from the restart, never less
    const c2 = new VirtualClock(0);
    const m2 = new FakeMailer(c2, world, () => "deliver", 0);
    const s2 = new AlarmService({ clock: c2, store, mailer: m2, board: "b", to: ["o@x.org"], coalesceMs: 0 });
    s2.start();
    c2.advance(HOUR - 1);
    expect(world.delivered.length).toBe(10);
    c2.advance(1);
    expect(world.delivered.length).toBe(11);
  });
});

describe("AlarmService: restart without a cut", () => {
  it("queued and backed-off entries survive a restart, with ids never reused", () => {
    const clock = new VirtualClock(0);
    const store = new MemStore();
    const world = new World();
    let m = new FakeMailer(clock, world, () => "retry", 0);
    let svc = new AlarmService({ clock, store, mailer: m, board: "b", to: ["o@x.org"], backoffBaseMs: MIN });
    svc.start();
    const a = svc.raise({ key: "a", title: "A" });
    clock.advance(0);
    svc.stop();
    m.alive = false;
    m = new FakeMailer(clock, world, () => "deliver", 0);
    svc = new AlarmService({ clock, store, mailer: m, board: "b", to: ["o@x.org"], backoffBaseMs: MIN });
    svc.start();
    const b = svc.raise({ key: "b", title: "B" });
    expect(b).toBeGreaterThan(a);
    clock.advance(MIN);
    expect(world.delivered.map((x) => x.id).sort()).toEqual([a, b].sort());
    expect(svc.resentAfterRestart()).toEqual([]);
  });
});
