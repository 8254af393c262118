// Runs the AT engine (or the compact profile's AT link, `subject: "compact"`) and the
// baseline parser inside real XS (xsnap-worker) on the bench corpus and reads the meters.
// Used by bench/run.ts, test/xs/engine-meter.test.ts and test/xs/compact-meter.test.ts.
// All figures are XS meter counts (deterministic), never wall-clock time.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { bundleForXs, REPO_ROOT } from "../../host-sim/xs/bundle.js";
import { XsWorker, type XsMeter } from "../../host-sim/xs/worker.js";
import { buildCorpus } from "../corpus.js";

export const REAL_ENGINE = resolve(REPO_ROOT, "firmware/at/engine.ts");
export const COMPACT_LINK = resolve(REPO_ROOT, "firmware/compact/link.ts");

/** "real": firmware/at/engine.ts (fails if absent); "standin": bench/standin; "auto": real if present. */
export type EngineChoice = "real" | "standin" | "auto";

/**
 * What runs under the driver: "at", the full AT engine (AtDriver; `engine` picks real or
 * stand-in), or "compact", the compact profile's link (CompactDriver, bench/xs/compact-entry.ts).
 */
export type Subject = "at" | "compact";

export function realEngineExists(): boolean {
  return existsSync(REAL_ENGINE);
}

export interface XsFigures {
  engine: string;
  corpusBytes: number;
  corpusLines: number;
  /** The driver under test: the full AT engine, or the compact link when `subject` is "compact". */
  at: { computePerByte: number; slotsPerByte: number; liveSlotGrowth100k: number; compute: number; slots: number };
  baseline: { computePerByte: number; slotsPerByte: number; compute: number; slots: number };
  /** The feeding loop and clock alone (into a do-nothing sink), per byte: part of the AT figure. */
  harnessComputePerByte: number;
  /** Slots the feeding loop and clock alone leave after one pass (part of the AT figure). */
  harnessSlots: number;
  /** Slot growth of an empty delivery after gc() (part of every slots figure). */
  deliveryOverheadSlots: number;
  counts: unknown;
}

export interface XsMeasureOptions {
  /** Default "at". */
  subject?: Subject;
  /** For subject "at" only. */
  engine?: EngineChoice;
  /** Bundle this entry instead (repository-relative; it exports `handleCommand` and ENGINE_NAME), to measure a variant. */
  entry?: string;
  /** Measure the baseline too (default true). */
  baseline?: boolean;
  /** Passes of the 2,000-line corpus for the live-slot check (default 50 = 100,000 lines). */
  growthPasses?: number;
  onOutput?: (text: string) => void;
}

/** Bundle the bench entry for XS with the chosen engine; returns the script and the engine used. */
export async function bundleBenchEntry(
  engine: EngineChoice = "auto",
  subject: Subject = "at",
  entry?: string,
): Promise<{ script: string; standin: boolean }> {
  const standin = subject === "at" && (engine === "standin" || (engine === "auto" && !realEngineExists()));
  if (subject === "at" && engine === "real" && !realEngineExists()) {
    throw new Error(`${REAL_ENGINE} does not exist yet`);
  }
  if (subject === "compact" && !existsSync(COMPACT_LINK)) {
    throw new Error(`${COMPACT_LINK} does not exist`);
  }
  const script = await bundleForXs({
    entry: entry ?? (subject === "compact" ? "bench/xs/compact-entry.ts" : standin ? "bench/standin/entry.ts" : "bench/xs/entry.ts"),
    globalName: "XsBench",
  });
  return { script: `${script}\nglobalThis.handleCommand = XsBench.handleCommand;\n`, standin };
}

function op(code: string, arg?: number | Uint8Array, arg2?: number): Uint8Array {
  if (arg instanceof Uint8Array) {
    const b = new Uint8Array(1 + arg.length);
    b[0] = code.charCodeAt(0);
    b.set(arg, 1);
    return b;
  }
  const b = new Uint8Array(5);
  b[0] = code.charCodeAt(0);
  const v = arg ?? 0;
  b[1] = v & 0xff;
  b[2] = (v >>> 8) & 0xff;
  const hi = arg2 ?? 0;
  b[3] = hi & 0xff;
  b[4] = (hi >>> 8) & 0xff;
  return b;
}

/** Measure the engine or the compact link (and the baseline) in a fresh XS worker. */
export async function measureInXs(options: XsMeasureOptions = {}): Promise<XsFigures> {
  const corpus = buildCorpus();
  const bytes = corpus.bytes.length;
  const growthPasses = options.growthPasses ?? 50;
  const { script } = await bundleBenchEntry(options.engine ?? "auto", options.subject ?? "at", options.entry);
  const w = await XsWorker.start({ name: "cellmail-bench", onOutput: options.onOutput });
  try {
    await w.evaluate(script);
    const cmd = async (o: Uint8Array): Promise<XsMeter> => (await w.command(o)).meter;
    await cmd(op("S", corpus.bytes));
    // Grow the slot heap well past what the baseline allocates in one pass (about 8 slots
    // per byte), so that no collection runs inside a measured delivery and resets the count.
    const grow = 500_000;
    await cmd(op("H", grow & 0xffff, grow >>> 16));
    // Warm up both paths once (first-use allocations are not steady state).
    await cmd(op("A", 1));
    await cmd(op("B", 1));
    await cmd(op("N", 1));

    const g0 = await cmd(op("G"));
    const empty = await cmd(op("E"));
    const deliveryOverheadSlots = empty.currentHeapCount - g0.currentHeapCount;

    const g1 = await cmd(op("G"));
    const a = await cmd(op("A", 1));
    const atSlots = a.currentHeapCount - g1.currentHeapCount;

    const gn = await cmd(op("G"));
    const n = await cmd(op("N", 1));
    const harnessSlots = n.currentHeapCount - gn.currentHeapCount;

    let baseline = { computePerByte: NaN, slotsPerByte: NaN, compute: NaN, slots: NaN };
    if (options.baseline !== false) {
      const g2 = await cmd(op("G"));
      const b = await cmd(op("B", 1));
      const slots = b.currentHeapCount - g2.currentHeapCount;
      baseline = { computePerByte: b.compute / bytes, slotsPerByte: slots / bytes, compute: b.compute, slots };
    }

    // Live slots after gc() over 100,000 lines.
    const live0 = await cmd(op("G"));
    await cmd(op("A", growthPasses));
    const live1 = await cmd(op("G"));

    const countsReply = await w.command(op("C"));
    const counts = JSON.parse(Buffer.from(countsReply.reply).toString("latin1"));
    return {
      engine: counts.engine,
      corpusBytes: bytes,
      corpusLines: corpus.lines,
      at: {
        computePerByte: a.compute / bytes,
        slotsPerByte: atSlots / bytes,
        liveSlotGrowth100k: live1.currentHeapCount - live0.currentHeapCount,
        compute: a.compute,
        slots: atSlots,
      },
      baseline,
      harnessComputePerByte: n.compute / bytes,
      harnessSlots,
      deliveryOverheadSlots,
      counts,
    };
  } finally {
    await w.close();
  }
}
