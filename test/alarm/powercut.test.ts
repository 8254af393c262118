// A power cut after every single Store operation of a scenario that exercises the
// outbox and the send job (raise, coalesce, send, retryable failure with backoff,
// permanent failure, delivery, purge), then a restart from the same Store:
//  - every alarm whose raise() returned before the cut is delivered (or kept as failed),
//    with its repeats counted;
//  - a mail is delivered twice only when the cut fell after its send started and before
//    its result was written, and then it carries the same id and was flagged as resent;
//  - a mail whose send had not started before the cut is delivered exactly once.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { createOutbox, type Outbox } from "../../firmware/alarm/outbox.js";
import type { OutboxMail } from "../../firmware/alarm/types.js";
import { CutStore, Decide, FakeMailer, MemStore, World, countOf } from "./fakes.js";
import { SENDING, device, storedEntries } from "./helpers.js";

const MIN = 60000;
const HOUR = 3600000;

const decide: Decide = (mail: OutboxMail, attempt: number) => {
  if (mail.subject.indexOf("ALARM C") >= 0) return "permanent";
  if (mail.subject.indexOf("ALARM B") >= 0 && attempt === 1) return "retry";
  return "deliver";
};

interface Outcome {
  ops: number;
  accepted: string[];
  startedBeforeCut: number[];
  deliveredBeforeCut: number;
  world: World;
  svc2: Outbox;
  /** Ids the Store held as in flight at the restart: sent again, and may arrive twice. */
  resent: number[];
  /** Entries kept as failed after the restart, with the raises they carry. */
  failed: { id: number; key: string; count: number }[];
}

function scenario(budget: number): Outcome {
  const clock = new VirtualClock(0);
  const mem = new MemStore();
  const world = new World();
  const store = new CutStore(mem, budget);
  const mailer = new FakeMailer(clock, world, decide, 2000);
  let startedBeforeCut: number[] | null = null;
  let deliveredBeforeCut = -1;
  store.onCut = () => {
    mailer.alive = false;
    startedBeforeCut = world.started.map((s) => s.id);
    deliveredBeforeCut = world.delivered.length;
  };
  const c = device({ board: "b", to: ["ops@example.com"], coalesceMs: 5 * MIN });
  const svc = createOutbox(clock, store, mailer, c, () => {});
  const accepted: string[] = [];
  const raise = (k: string) => {
    svc.raise(k, k.toUpperCase(), "detail of " + k);
    if (!store.cut) accepted.push(k);
  };
  svc.start();
  raise("a");
  clock.advance(1000);
  raise("a"); // while a's first mail is in flight: a new, held entry
  raise("b");
  clock.advance(3000);
  raise("c");
  raise("a");
  clock.advance(2 * MIN);
  raise("b");
  clock.advance(10 * MIN);
  raise("a");
  clock.advance(HOUR);
  svc.stop();
  mailer.alive = false;

  // restart on what reached the Store
  const resent = storedEntries(mem).filter((e) => e.state === SENDING).map((e) => e.id);
  const mailer2 = new FakeMailer(clock, world, decide, 2000);
  const svc2 = createOutbox(clock, mem, mailer2, c, () => {});
  svc2.start();
  clock.advance(5 * HOUR);
  return {
    ops: store.ops,
    accepted,
    startedBeforeCut: startedBeforeCut ?? world.started.map((s) => s.id),
    deliveredBeforeCut: deliveredBeforeCut < 0 ? world.delivered.length : deliveredBeforeCut,
    world,
    svc2,
    resent,
    failed: storedEntries(mem).filter((e) => e.state === 3),
  };
}

function check(o: Outcome, label: string): { dup: number; resentOnce: number } {
  // 1. nothing accepted is lost: per key, the repeats carried by distinct mails (plus failed entries) cover it
  const carried: { [key: string]: number } = {};
  const seen: { [id: number]: number } = {};
  for (const m of o.world.delivered) {
    const key = m.subject.substring(m.subject.indexOf("ALARM ") + 6, m.subject.indexOf("ALARM ") + 7).toLowerCase();
    if (seen[m.id] === undefined) carried[key] = (carried[key] || 0) + countOf(m.subject);
    seen[m.id] = (seen[m.id] || 0) + 1;
  }
  for (const f of o.failed) carried[f.key] = (carried[f.key] || 0) + f.count;
  const want: { [key: string]: number } = {};
  for (const k of o.accepted) want[k] = (want[k] || 0) + 1;
  for (const k in want) expect(carried[k] || 0, label + " key " + k).toBeGreaterThanOrEqual(want[k]);
  if (want.c) expect(o.failed.map((f) => f.key), label).toContain("c");
  expect(o.svc2.queued(), label).toBe(0);

  // 2. duplicates only inside the send window, flagged, same id, at most twice
  let dup = 0;
  const resent = o.resent;
  for (const id in seen) {
    if (seen[id] === 1) continue;
    dup++;
    expect(seen[id], label).toBe(2);
    expect(resent, label).toContain(Number(id));
    const first = o.world.delivered.findIndex((m) => m.id === Number(id));
    expect(first, label + " first delivery of a duplicate before the cut").toBeLessThan(o.deliveredBeforeCut);
  }
  // 3. a resent mail whose send had not started before the cut is delivered exactly once
  let resentOnce = 0;
  for (const id of resent) {
    if (o.startedBeforeCut.indexOf(id) >= 0) continue;
    resentOnce++;
    const failed = o.failed.some((f) => f.id === id);
    expect(failed ? seen[id] || 0 : seen[id], label + " resent id " + id).toBe(failed ? 0 : 1);
  }
  return { dup, resentOnce };
}

describe("power cut at every Store operation", () => {
  it("no alarm lost, duplicates only inside the send window", () => {
    const clean = scenario(Infinity);
    check(clean, "clean");
    expect(clean.world.delivered.length).toBeGreaterThanOrEqual(4);
    expect(clean.resent).toEqual([]);
    const total = clean.ops;
    expect(total).toBeGreaterThan(15);
    let dups = 0;
    let resentOnce = 0;
    for (let k = 0; k <= total; k++) {
      const r = check(scenario(k), "cut after op " + k);
      dups += r.dup;
      resentOnce += r.resentOnce;
    }
    // both edges of the at-least-once window were exercised
    expect(dups).toBeGreaterThan(0);
    expect(resentOnce).toBeGreaterThan(0);
  });
});
