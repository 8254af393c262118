// The AT engine (firmware/at/engine.ts) inside real XS, on the bench corpus: the budget of
// DESIGN.md section 7 asserted on XS meter counts. XS meters are deterministic counts of
// bytecodes and slots, not time, so asserting them is allowed (no wall clock here).
import { beforeAll, describe, expect, it } from "vitest";
import { measureInXs, type XsFigures } from "../../bench/xs/measure.js";
import { AtDriver } from "../../bench/xs/at-driver.js";
import { buildCorpus, CHUNK_SIZE } from "../../bench/corpus.js";

// Issue 2's budget. slotsPerByte and liveSlotGrowth100k are met and asserted as such.
// computePerByte is NOT met (43.2 measured, target 25; see bench/README.md and docs/design.md
// for what costs what): `npm run bench` reports it against the target, and this test holds the
// measured figure plus a small margin as a ceiling so the engine cannot get slower while it is
// being worked on (the ceiling was 50 while the engine measured 48.5, 48 at 47.1).
const BUDGET = { computePerByte: 25, slotsPerByte: 0.01, liveSlotGrowth100k: 50 };
const COMPUTE_CEILING = 44;

describe("AT engine in XS (xsnap-worker), bench corpus", () => {
  let xs: XsFigures;
  beforeAll(async () => {
    xs = await measureInXs({ engine: "real", baseline: false, growthPasses: 50 });
  }, 120_000);

  it("runs the real engine over the whole corpus with a command always in flight", () => {
    expect(xs.engine).toBe("firmware/at/engine.ts");
    expect(xs.corpusLines).toBe(2000);
    expect(xs.corpusBytes).toBeGreaterThan(29_000);
    const counts = xs.counts as { at: { finals: number[]; csqLines: number; written: number; cereg: number; qsmtpput: number } };
    // AT+CSQ kept being re-issued and completed, and URCs reached their handlers.
    expect(counts.at.finals[0]).toBeGreaterThan(100);
    expect(counts.at.csqLines).toBeGreaterThan(0);
    expect(counts.at.cereg).toBeGreaterThan(0);
    expect(counts.at.qsmtpput).toBeGreaterThan(0);
    expect(counts.at.written).toBeGreaterThan(0);
  });

  it(`costs at most ${COMPUTE_CEILING} compute units per byte (ceiling; the target is ${BUDGET.computePerByte})`, () => {
    expect(xs.at.computePerByte, "XS compute units per byte (engine + harness)").toBeLessThanOrEqual(COMPUTE_CEILING);
  });

  it(`allocates at most ${BUDGET.slotsPerByte} slots per byte`, () => {
    expect(xs.at.slotsPerByte, `XS slots per byte (${xs.at.slots} slots in one pass)`).toBeLessThanOrEqual(BUDGET.slotsPerByte);
  });

  it(`keeps live slots after gc() within ${BUDGET.liveSlotGrowth100k} over 100,000 lines`, () => {
    expect(xs.at.liveSlotGrowth100k, "live slots after gc(), growth over 100,000 lines").toBeLessThanOrEqual(BUDGET.liveSlotGrowth100k);
  });

  it("XS and Node run the same bytes to the same outcome", async () => {
    const { makeEngine } = await import("../../bench/xs/entry.js");
    const corpus = buildCorpus();
    const node = new AtDriver(makeEngine);
    node.load(corpus.bytes, CHUNK_SIZE);
    // The XS worker fed: 1 warm-up pass, 1 measured pass, 50 growth passes.
    node.feed(1 + 1 + 50);
    const c = xs.counts as { at: unknown };
    expect(JSON.parse(JSON.stringify(node.counts))).toEqual(c.at);
    node.close();
  });
});
