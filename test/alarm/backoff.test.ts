// The outbox's backoff (firmware/alarm/backoff.ts), shared by both profiles: doubling to a
// cap, half of each wait fixed and half spread by the board's name, the mail id and the
// try; the same on every run, different from board to board.
import { describe, expect, it } from "vitest";
import { backoffMs } from "../../firmware/alarm/backoff.js";

describe("backoffMs", () => {
  it("doubles from the base up to the cap, each wait between half and all of it", () => {
    for (let n = 1; n <= 12; n++) {
      const d = Math.min(30_000 * 2 ** (n - 1), 1_800_000);
      const w = backoffMs(30_000, 1_800_000, n, "pump-house-3", 7);
      expect(w, `try ${n}`).toBeGreaterThanOrEqual(d / 2);
      expect(w, `try ${n}`).toBeLessThan(d);
    }
  });

  it("is the same every time for the same board, mail and try", () => {
    expect(backoffMs(60_000, 3_600_000, 3, "board-017", 4)).toBe(backoffMs(60_000, 3_600_000, 3, "board-017", 4));
  });

  it("spreads boards whose names differ in one character over the whole jitter range", () => {
    const waits = Array.from({ length: 300 }, (_, i) => backoffMs(60_000, 3_600_000, 1, `board-${String(i + 1).padStart(3, "0")}`, 1));
    // 300 boards refused together: their retries fall in [30 s, 60 s), spread over it.
    const buckets = new Array(10).fill(0);
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(30_000);
      expect(w).toBeLessThan(60_000);
      buckets[Math.floor((w - 30_000) / 3_000)]++;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(10);
    expect(new Set(waits.map((w) => Math.floor(w))).size).toBeGreaterThan(290);
    // Consecutive names do not come back in a regular order either.
    const ascending = waits.slice(1).filter((w, i) => w > waits[i]).length;
    expect(ascending).toBeGreaterThan(100);
    expect(ascending).toBeLessThan(200);
  });

  it("differs between the mails of one board and between its tries", () => {
    expect(backoffMs(60_000, 3_600_000, 1, "b", 1)).not.toBe(backoffMs(60_000, 3_600_000, 1, "b", 2));
    const a = backoffMs(60_000, 3_600_000, 9, "b", 1);
    const b = backoffMs(60_000, 3_600_000, 10, "b", 1);
    expect(a).not.toBe(b);
  });
});
