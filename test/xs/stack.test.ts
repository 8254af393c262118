// The device's stack in our tests: the small-stack xsnap-worker (host-sim/xs/stack-worker.ts)
// and the manifest's creation.stack against the measured need.
//  - `--stack N` limits calls into handleCommand (what runs on a board), not evaluation
//    (what a Moddable build does when it preloads), and a call that needs more ends the
//    worker with XS's "stack overflow" (exit 12), reported as such;
//  - the worker's stackPeak meter counts as `--stack` counts;
//  - a session that runs out of stack fails with that reason and leaves nothing running;
//  - creation.stack is at least 1.5 times xs.stack.minSlots as `npm run bench` recorded it
//    (the scenario runs of test/scenarios/compositions.test.ts prove the same margin for the code
//    as it is now, at floor(creation.stack / 1.5) slots).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SyncXsWorker } from "../../host-sim/xs/sync-worker.js";
import { patchWorkerSource } from "../../host-sim/xs/stack-worker.js";
import { manifestStackSlots, STACK_MARGIN, testedStackSlots } from "../../host-sim/xs/device-stack.js";
import { REPO_ROOT } from "../../host-sim/xs/bundle.js";
import { bundledScenarios } from "../../host-sim/scenarios/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";

const RECURSE = "function d(n) { return n === 0 ? 0 : 1 + d(n - 1); }\nglobalThis.handleCommand = function (ab) { return d(new Uint8Array(ab)[0]); };";

describe("the small-stack xsnap-worker", () => {
  it("limits calls into handleCommand to --stack slots; the overflow ends the worker with its reason", () => {
    const w = SyncXsWorker.start({ stackSlots: 384 });
    try {
      w.evaluate(RECURSE);
      const p10 = w.command(Uint8Array.of(10)).meter.stackPeak;
      const p20 = w.command(Uint8Array.of(20)).meter.stackPeak;
      expect(p10).toBeGreaterThan(0);
      expect(p20 - p10).toBeGreaterThanOrEqual(80); // about 10 slots a frame of d()
      expect(p20).toBeLessThanOrEqual(384);
      expect(() => w.command(Uint8Array.of(200))).toThrow(/exited with code 12 \(stack overflow\)/);
    } finally {
      w.close();
    }
  });

  it("does not limit evaluation (loading code: a Moddable build preloads it), and the same call passes with a larger stack", () => {
    const w = SyncXsWorker.start({ stackSlots: 384 });
    try {
      w.evaluate(RECURSE + "\nd(200);"); // the bundle's own body runs at load time
    } finally {
      w.close();
    }
    const big = SyncXsWorker.start({ stackSlots: 4000 });
    try {
      big.evaluate(RECURSE);
      expect(big.command(Uint8Array.of(200)).meter.stackPeak).toBeLessThanOrEqual(4000);
    } finally {
      big.close();
    }
  });

  it("the package's own worker reports no stack peak (it is not patched)", () => {
    const w = SyncXsWorker.start({});
    try {
      w.evaluate(RECURSE);
      expect(w.command(Uint8Array.of(5)).meter.stackPeak).toBe(-1);
    } finally {
      w.close();
    }
  });

  it("the patch refuses a worker source whose anchors changed (a new @agoric/xsnap)", () => {
    expect(() => patchWorkerSource("int main(void) { return 0; }", 76)).toThrow(/patch anchor/);
  });

  it("a session that runs out of stack fails with the reason (and closes what it started)", async () => {
    const scenario = bundledScenarios().find((b) => b.scenario.name === "happy-path")!.scenario;
    await expect(runSession({ scenario, engine: "xs", xsStackSlots: 300 })).rejects.toThrow(/stack overflow/);
  });
});

describe("creation.stack keeps its margin", () => {
  it(`manifests/moddable/cellmail.json declares at least ${STACK_MARGIN} x xs.stack.minSlots of bench/results.json`, () => {
    const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "results.json"), "utf8")) as Record<string, number>;
    const need = results["xs.stack.minSlots"];
    expect(need, "run npm run bench -- --stack").toBeGreaterThan(0);
    expect(manifestStackSlots()).toBeGreaterThanOrEqual(STACK_MARGIN * need);
    expect(results["xs.stack.manifestSlots"]).toBe(manifestStackSlots()); // the figure was measured against this manifest
    // The scenario runs use the declared stack less the margin; the recorded need fits in it.
    expect(need).toBeLessThanOrEqual(testedStackSlots());
  });
});
