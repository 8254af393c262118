// Bundled scenarios whose expectation a composition does not meet yet because of a bug in
// its core, with the bug. test/scenarios/compositions.test.ts still runs them on both
// engines (byte-identical transcripts) but leaves the expectation to a test of its own
// that fails until the bug is fixed (for the compact core: test/compact/wire-faults.test.ts);
// the suite fails too when a listed scenario starts to hold, so this list cannot go stale.
// Compositions that run the same core list the same bugs (the suite checks it). When a bug
// is fixed, remove its line here.
import type { CompositionName } from "../../host-sim/runner/compositions.js";

export const KNOWN_BUGS: Readonly<Record<CompositionName, Readonly<Record<string, string>>>> = {
  espruino: {},
  moddable: {},
  node: {},
};
