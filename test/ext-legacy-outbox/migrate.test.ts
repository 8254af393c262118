// The legacy outbox (firmware/ext/legacy-outbox/migrate.ts): a Moddable or Node board updated
// from the firmware before the one outbox, with alarms still in its Store, sends them. The old
// records are written here as that firmware wrote them (the blob store, positional records).
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { BlobStore, PREFERENCE_VALUE } from "../../firmware/ext/legacy-outbox/blob.js";
import { encodeRecord } from "../../firmware/ext/legacy-outbox/codec.js";
import { migrateOutbox } from "../../firmware/ext/legacy-outbox/migrate.js";
import { CutStore, MemStore } from "../alarm/fakes.js";
import { FAILED, HOUR, MIN, QUEUED, SENDING, rig, storedEntries } from "../alarm/helpers.js";

const T = 50 * HOUR; // the earlier run's clock at its last writes

/** An old entry: [1, id, state, key, title, text, count, firstAt, lastAt, firstWall, lastWall, holdUntil, attempts, code, cause, sentAt, savedAt, throttles]. */
function oldEntry(id: number, state: number, key: string, o: { count?: number; attempts?: number; hold?: number; code?: number; cause?: string; saved?: number } = {}): unknown[] {
  const saved = o.saved ?? T;
  return [1, id, state, key, "Title " + key, "text of " + key, o.count ?? 1, saved - 10 * MIN, saved - MIN, -1, -1, o.hold ?? 0, o.attempts ?? 0, o.code ?? 0, o.cause ?? "", saved - MIN, saved, 0];
}

/** A Store as the earlier firmware left it: four entries, its meta record and its rate window. */
function earlierStore(): MemStore {
  const mem = new MemStore();
  const blobs = new BlobStore(mem, PREFERENCE_VALUE);
  blobs.write("cm.o0", encodeRecord(oldEntry(7, 0, "queued", { count: 3, attempts: 2, hold: T + 5 * MIN, code: 654, cause: "network error" })));
  blobs.write("cm.o1", encodeRecord(oldEntry(8, 1, "inflight", { attempts: 1 })));
  blobs.write("cm.o2", encodeRecord(oldEntry(9, 3, "failed", { attempts: 1, code: 675, cause: "SMTP 550 mailbox unavailable" })));
  blobs.write("cm.o3", encodeRecord(oldEntry(11, 2, "done")));
  blobs.write("cm.m", encodeRecord([1, 12, null, 0, T]));
  blobs.write("cm.t", encodeRecord([1, T, "ops@example.com", [T - 30 * MIN, T - 20 * MIN], "cc@example.com", [T - 20 * MIN]]));
  return mem;
}

function logs(): { lines: string[]; log: (level: number, msg: string) => void } {
  const lines: string[] = [];
  return { lines, log: (_l, msg) => lines.push(msg) };
}

describe("the legacy outbox: an earlier firmware's alarms are sent after the update", () => {
  it("queued, in-flight and failed entries are taken over with their ids, counts, attempts and causes; delivered ones and the old records go", () => {
    const mem = earlierStore();
    const l = logs();
    expect(migrateOutbox(mem, l.log)).toBe(3);
    expect(l.lines).toEqual(["outbox: 3 alarm(s) taken over from an earlier firmware's records"]);
    expect(mem.keys().filter((k) => k.startsWith("cm."))).toEqual([]);
    expect(storedEntries(mem)).toEqual([
      { id: 7, state: QUEUED, key: "queued", title: "Title queued", text: "text of queued", count: 3, attempts: 2, code: 654, cause: "network error" },
      { id: 8, state: SENDING, key: "inflight", title: "Title inflight", text: "text of inflight", count: 1, attempts: 1, code: 0, cause: "" },
      { id: 9, state: FAILED, key: "failed", title: "Title failed", text: "text of failed", count: 1, attempts: 1, code: 675, cause: "SMTP 550 mailbox unavailable" },
    ]);
    // nothing left to take over: a second start finds nothing
    expect(migrateOutbox(mem, l.log)).toBe(0);
    expect(l.lines.length).toBe(1);
  });

  it("the outbox then sends them in raise order: the queued one after what was left of its backoff, then the one in flight; the failed one is kept; ids go on", () => {
    const mem = earlierStore();
    migrateOutbox(mem, () => {});
    const r = rig({ perHour: 10 }, undefined, 0, mem, new VirtualClock(0)); // the board's clock from 0 after the update
    expect(r.logs).toContain("resending 1 mail(s) interrupted by a restart");
    r.clock.advance(5 * MIN - 1);
    expect(r.world.started.length).toBe(0); // the older alarm waits for its retry, and holds the younger back
    r.clock.advance(1);
    expect(r.world.delivered.map((m) => [m.id, m.subject])).toEqual([
      [7, "[pump-house] ALARM Title queued (x3)"],
      [8, "[pump-house] ALARM Title inflight"],
    ]);
    const q = r.world.delivered[0];
    expect(q.body).toContain("Mail id: 7, attempt 3");
    expect(q.body).toContain("  failed 9 failed: error 675 (SMTP 550 mailbox unavailable)");
    expect(r.world.delivered[1].body).toContain("Mail id: 8, attempt 2 (a repeated id is a resend)");
    expect(r.box.failed()).toEqual([{ id: 9, key: "failed", code: 675, cause: "SMTP 550 mailbox unavailable" }]);
    expect(r.raise({ key: "new", title: "New" })).toBe(12); // the earlier firmware had reserved ids up to 11
  });

  it("the rate window comes along: the most sends any address had in the last hour still count", () => {
    const mem = earlierStore();
    migrateOutbox(mem, () => {});
    const r = rig({ perHour: 2 }, undefined, 0, mem, new VirtualClock(0));
    // two sends 30 and 20 minutes before the last write: one mail may go 30 minutes on, the next 10 minutes later
    r.clock.advance(30 * MIN - 1);
    expect(r.world.started.length).toBe(0);
    r.clock.advance(1);
    expect(r.world.delivered.map((m) => m.id)).toEqual([7]);
    r.clock.advance(10 * MIN - 1);
    expect(r.world.delivered.length).toBe(1);
    r.clock.advance(1);
    expect(r.world.delivered.map((m) => m.id)).toEqual([7, 8]);
  });

  it("a power cut at any step of the migration loses nothing: the next start takes the rest over", () => {
    const clean = earlierStore();
    migrateOutbox(clean, () => {});
    const want = JSON.stringify(storedEntries(clean));
    const counter = new CutStore(earlierStore(), Infinity);
    migrateOutbox(counter, () => {});
    const ops = counter.ops;
    expect(ops).toBeGreaterThan(8);
    for (let k = 0; k <= ops; k++) {
      const mem = earlierStore();
      migrateOutbox(new CutStore(mem, k), () => {});
      migrateOutbox(mem, () => {}); // the next start
      expect(JSON.stringify(storedEntries(mem)), "cut after op " + k).toBe(want);
      expect(mem.keys().filter((x) => x.startsWith("cm.")), "cut after op " + k).toEqual([]);
      const w = JSON.parse(String.fromCharCode(...mem.read("w")!)) as number[];
      expect(w, "cut after op " + k).toEqual([12, T - 30 * MIN, T - 20 * MIN]); // ids go on from the reservation; the window kept
    }
  });

  it("a Store without the earlier firmware's records is left alone", () => {
    const mem = new MemStore();
    mem.write("o3", new Uint8Array([0x5b, 0x5d]));
    expect(migrateOutbox(mem, () => {})).toBe(0);
    expect(mem.keys()).toEqual(["o3"]);
  });
});
