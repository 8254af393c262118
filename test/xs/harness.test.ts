// The bench harness shared by XS and Node (bench/xs/at-driver.ts): the manual clock, and
// the engine and baseline drivers seeing the corpus the same way.
import { describe, expect, it } from "vitest";
import { AtDriver, BaselineDriver, ManualClock } from "../../bench/xs/at-driver.js";
import { buildCorpus, CHUNK_SIZE, CORPUS_LINES } from "../../bench/corpus.js";

describe("bench harness", () => {
  it("the corpus is fixed: 2,000 framed lines, about 30 KB, every kind present", () => {
    const a = buildCorpus();
    const b = buildCorpus();
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.lines).toBe(CORPUS_LINES);
    expect(a.bytes.length).toBeGreaterThan(29_000);
    expect(a.bytes.length).toBeLessThan(32_000);
    for (const k of ["OK", "+CSQ: 23,99", '+QIACT: 1,1,1,"10.7.157.1"', "+QSMTPPUT: 0,0", "+CEREG: 1", "RDY", "+CME ERROR: 653"]) {
      expect(a.histogram[k]).toBeGreaterThan(0);
    }
  });

  it("ManualClock fires in time order, only when advanced, and ignores stale handles", () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const h1 = clock.setTimer(10, () => seen.push("a"));
    clock.setTimer(5, () => seen.push("b"));
    clock.setTimer(10, () => {
      seen.push("c");
      clock.setTimer(1, () => seen.push("d"));
    });
    clock.advance(4);
    expect(seen).toEqual([]);
    clock.advance(20);
    expect(seen).toEqual(["b", "a", "c", "d"]);
    expect(clock.now()).toBe(24);
    const h2 = clock.setTimer(3, () => seen.push("e")); // may reuse h1's slot
    clock.clearTimer(h1); // stale: must not cancel e
    clock.advance(3);
    expect(seen[seen.length - 1]).toBe("e");
    clock.clearTimer(h2);
    const h3 = clock.setTimer(3, () => seen.push("f"));
    clock.clearTimer(h3);
    clock.advance(10);
    expect(seen[seen.length - 1]).toBe("e");
  });

  it("the engine and the baseline see the same URCs and +CSQ lines on Node", async () => {
    const { makeEngine } = await import("../../bench/xs/entry.js");
    const corpus = buildCorpus();
    const at = new AtDriver(makeEngine);
    at.load(corpus.bytes, CHUNK_SIZE);
    at.feed(2);
    const base = new BaselineDriver();
    base.load(corpus.bytes, CHUNK_SIZE);
    base.feed(2);
    for (const k of ["cereg", "qsmtpput", "qiact", "rdy", "csqLines", "csqSum"] as const) {
      expect(at.counts[k], k).toBe(base.counts[k]);
    }
    expect(at.counts.cereg).toBe(2 * corpus.histogram["+CEREG: 1"]);
    expect(at.counts.qsmtpput).toBe(2 * corpus.histogram["+QSMTPPUT: 0,0"]);
    at.close();
  });
});
