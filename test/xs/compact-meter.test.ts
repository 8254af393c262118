// The compact profile's AT link (firmware/compact/link.ts) inside real XS, on the bench
// corpus, under the same workload and method as the full engine (test/xs/engine-meter.test.ts):
// one AT+CSQ always in flight, URCs read with the link's getters. XS meters are
// deterministic counts of bytecodes and slots, not time, so asserting them is allowed.
import { beforeAll, describe, expect, it } from "vitest";
import { measureInXs, type XsFigures } from "../../bench/xs/measure.js";
import { CompactDriver } from "../../bench/xs/compact-driver.js";
import { buildCorpus, CHUNK_SIZE } from "../../bench/corpus.js";

// The engine's allocation budget (DESIGN.md section 7) holds for the compact link too.
// Its compute per byte has no target of its own: `npm run bench` reports it against the
// full engine's (bench/README.md).
const BUDGET = { slotsPerByte: 0.01, liveSlotGrowth100k: 50 };

describe("compact AT link in XS (xsnap-worker), bench corpus", () => {
  let xs: XsFigures;
  beforeAll(async () => {
    xs = await measureInXs({ subject: "compact", baseline: false, growthPasses: 50 });
  }, 120_000);

  it("runs the link over the whole corpus with a command always in flight", () => {
    expect(xs.engine).toBe("firmware/compact/link.ts");
    expect(xs.corpusLines).toBe(2000);
    expect(xs.corpusBytes).toBeGreaterThan(29_000);
    const counts = xs.counts as { at: { finals: number[]; csqLines: number; written: number; cereg: number; qsmtpput: number; qiact: number } };
    // AT+CSQ kept being re-issued and completed (OK, and +CME ERROR), and URCs reached onUrc.
    expect(counts.at.finals[0]).toBeGreaterThan(100);
    expect(counts.at.finals[2]).toBeGreaterThan(0);
    expect(counts.at.csqLines).toBeGreaterThan(0);
    expect(counts.at.cereg).toBeGreaterThan(0);
    expect(counts.at.qsmtpput).toBeGreaterThan(0);
    expect(counts.at.qiact).toBeGreaterThan(0);
    expect(counts.at.written).toBeGreaterThan(0);
  });

  it(`allocates at most ${BUDGET.slotsPerByte} slots per byte`, () => {
    expect(xs.at.slotsPerByte, `XS slots per byte (${xs.at.slots} slots in one pass of ${xs.corpusBytes} bytes)`).toBeLessThanOrEqual(
      BUDGET.slotsPerByte,
    );
  });

  it(`keeps live slots after gc() within ${BUDGET.liveSlotGrowth100k} over 100,000 lines`, () => {
    expect(xs.at.liveSlotGrowth100k, "live slots after gc(), growth over 100,000 lines").toBeLessThanOrEqual(BUDGET.liveSlotGrowth100k);
  });

  it("XS and Node run the same bytes to the same outcome", async () => {
    const { makeLink } = await import("../../bench/xs/compact-entry.js");
    const corpus = buildCorpus();
    const node = new CompactDriver(makeLink);
    node.load(corpus.bytes, CHUNK_SIZE);
    // The XS worker fed: 1 warm-up pass, 1 measured pass, 50 growth passes.
    node.feed(1 + 1 + 50);
    const c = xs.counts as { at: unknown };
    expect(JSON.parse(JSON.stringify(node.counts))).toEqual(c.at);
    node.close();
  });
});
