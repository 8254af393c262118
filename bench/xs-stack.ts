// The JavaScript stack the core needs, in XS as a Moddable board gives it (the small-stack
// xsnap-worker, host-sim/xs/stack-worker.ts): every bundled scenario the moddable
// composition can run (host-sim/runner/compositions.ts) runs in XS with `--stack N`.
//
//   xs.stack.minSlots       the smallest N with which every scenario passes, by bisection
//   xs.stack.peakSlots      the deepest step the worker measured at the manifest's stack
//                           (its stackPeak meter; should be minSlots, give or take a slot)
//   xs.stack.manifestSlots  creation.stack of manifests/moddable/cellmail.json, which must be
//                           at least 1.5 times minSlots (test/xs/stack.test.ts holds it)
//   xs.compact.stack.peakSlots  the espruino composition's deepest step (the compact core;
//                           it runs on Espruino, whose stack is not XS's: for comparison only)
import { bundledScenarios, type Scenario } from "../host-sim/scenarios/scenario.js";
import { COMPOSITIONS, missingModules, type CompositionName } from "../host-sim/runner/compositions.js";
import { runSession } from "../host-sim/runner/session.js";
import { manifestStackSlots, STACK_MARGIN } from "../host-sim/xs/device-stack.js";

export interface StackFigures {
  minSlots: number;
  peakSlots: number;
  manifestSlots: number;
  compactPeakSlots: number;
  /** Scenario runs the bisection needed. */
  runs: number;
  results: Record<string, number>;
}

/** The lowest stack the XS worker can start with at all (its own start needs room). */
const FLOOR = 64;
const PARALLEL = 2;

interface Outcome {
  ok: boolean;
  peak: number;
  why: string;
}

/** The bundled scenarios a composition can run (it carries every module they need). */
function runnable(composition: CompositionName): Scenario[] {
  return bundledScenarios()
    .map((b) => b.scenario)
    .filter((s) => missingModules(COMPOSITIONS[composition], s.needs).length === 0);
}

async function runAt(scenario: Scenario, composition: CompositionName, slots: number): Promise<Outcome> {
  try {
    const r = await runSession({ scenario, engine: "xs", composition, xsStackSlots: slots });
    return { ok: r.ok, peak: r.xsStackPeak ?? -1, why: r.expectFailures.join("; ") };
  } catch (e) {
    return { ok: false, peak: -1, why: (e as Error).message.split("\n")[0] };
  }
}

/** Run scenarios PARALLEL at a time; stop at the first failure when `stopEarly`. */
async function runAll(list: Scenario[], composition: CompositionName, slots: number, stopEarly: boolean): Promise<{ ok: boolean; outcomes: Map<string, Outcome>; runs: number }> {
  const outcomes = new Map<string, Outcome>();
  let next = 0;
  let failed = false;
  let runs = 0;
  const worker = async () => {
    while (next < list.length && !(stopEarly && failed)) {
      const s = list[next++];
      runs++;
      const o = await runAt(s, composition, slots);
      outcomes.set(s.name, o);
      if (!o.ok) failed = true;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { ok: !failed, outcomes, runs };
}

export async function xsStackFigures(log: (line: string) => void = (l) => console.log(l)): Promise<StackFigures> {
  const manifestSlots = manifestStackSlots();
  const full = runnable("moddable");
  // At the manifest's stack every scenario must pass; the meter says how deep each went.
  const top = await runAll(full, "moddable", manifestSlots, false);
  let runs = top.runs;
  if (!top.ok) {
    const bad = [...top.outcomes].filter(([, o]) => !o.ok).map(([n, o]) => `${n}: ${o.why}`);
    throw new Error(`at the manifest's creation.stack (${manifestSlots}) these scenarios fail in XS:\n  ${bad.join("\n  ")}`);
  }
  const peakSlots = Math.max(...[...top.outcomes.values()].map((o) => o.peak));
  // Bisection: the deepest scenarios first, so that a stack too small fails at once.
  const order = [...full].sort((a, b) => top.outcomes.get(b.name)!.peak - top.outcomes.get(a.name)!.peak);
  let lo = FLOOR; // fails (or is below what the worker needs to start)
  let hi = manifestSlots; // passes
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const r = await runAll(order, "moddable", mid, true);
    runs += r.runs;
    log(`  xs stack: ${mid} slots: ${r.ok ? "every scenario passes" : "a scenario fails"}`);
    if (r.ok) hi = mid;
    else lo = mid;
  }
  const c = await runAll(runnable("espruino"), "espruino", manifestSlots, false);
  runs += c.runs;
  const compactPeakSlots = Math.max(...[...c.outcomes.values()].map((o) => o.peak));
  const results = {
    "xs.stack.minSlots": hi,
    "xs.stack.peakSlots": peakSlots,
    "xs.stack.manifestSlots": manifestSlots,
    "xs.compact.stack.peakSlots": compactPeakSlots,
  };
  log(
    `  xs stack: every scenario passes from ${hi} slots (deepest step measured: ${peakSlots}); creation.stack ${manifestSlots} ` +
      `= ${(manifestSlots / hi).toFixed(2)} x (at least ${STACK_MARGIN}); espruino composition's deepest step ${compactPeakSlots}; ${runs} runs`,
  );
  return { minSlots: hi, peakSlots, manifestSlots, compactPeakSlots, runs, results };
}
