// An alarm storm: 1,000 raises in one virtual minute over 50 distinct keys (more than
// the outbox holds). Mails stay bounded, the outbox and the Store stay bounded, the
// per-recipient limit holds over every sliding hour, and every raise is accounted for.
import { describe, expect, it } from "vitest";
import { OVERFLOW_KEY } from "../../firmware/alarm/outbox.js";
import { countOf } from "./fakes.js";
import { HOUR, MIN, rig } from "./helpers.js";

describe("alarm storm", () => {
  it("1,000 triggers in a minute: bounded mails, bounded memory, the limit honoured", () => {
    const r = rig({ coalesceMs: 10 * MIN, capacity: 32, perHour: 10 }, undefined, 3000);
    let maxEntries = 0;
    let maxKeys = 0;
    let maxBytes = 0;
    const measure = () => {
      const n = r.entries().length;
      if (n > maxEntries) maxEntries = n;
      const keys = r.store.keys().length;
      if (keys > maxKeys) maxKeys = keys;
      const bytes = (r.store as unknown as { bytes(): number }).bytes();
      if (bytes > maxBytes) maxBytes = bytes;
    };
    for (let i = 0; i < 1000; i++) {
      r.raise({ key: "zone" + (i % 50), title: "Zone " + (i % 50), text: "trigger " + i });
      r.clock.advance(60);
      measure();
    }
    expect(r.world.delivered.length).toBeLessThanOrEqual(10);
    for (let h = 0; h < 12 * 60; h++) {
      r.clock.advance(MIN);
      measure();
    }
    const mails = r.world.delivered;
    // every raise is carried by exactly one delivered mail (nothing lost, nothing twice)
    let carried = 0;
    for (const m of mails) carried += m.subject.indexOf("several alarms") >= 0 ? countOverflow(m.body) : countOf(m.subject);
    expect(carried).toBe(1000); // the outbox never drops a raise: with two slots left, new keys go into the overflow entry
    expect(r.box.queued()).toBe(0);
    // bounded: far fewer mails than triggers, one per entry at most
    expect(mails.length).toBeLessThanOrEqual(60);
    expect(new Set(mails.map((m) => m.id)).size).toBe(mails.length);
    // bounded memory: the outbox never exceeds its capacity, the Store stays small
    expect(maxEntries).toBeLessThanOrEqual(32);
    expect(maxKeys).toBeLessThanOrEqual(32 + 1); // the entries and the rate window ("w")
    expect(maxBytes).toBeLessThan(32 * 600);
    // the per-recipient limit over every sliding hour
    const at = r.world.deliveredAt;
    for (let i = 0; i < at.length; i++) {
      let inHour = 0;
      for (let j = 0; j <= i; j++) if (at[j] > at[i] - HOUR) inHour++;
      expect(inHour).toBeLessThanOrEqual(10);
    }
    // the overflow mail names the keys it grouped
    const over = mails.filter((m) => m.subject.indexOf("several alarms") >= 0);
    expect(over.length).toBeGreaterThan(0);
    expect(over[0].body).toContain("zone49");
    expect(r.entries().filter((e) => e.key === OVERFLOW_KEY && e.state === 0).length).toBe(0);
  });
});

function countOverflow(body: string): number {
  const i = body.indexOf("Occurrences: ");
  if (i < 0) return 1;
  return parseInt(body.substring(i + 13), 10);
}
