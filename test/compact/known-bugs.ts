// Bundled scenarios whose expectation the compact core (firmware/compact) does not meet
// yet because of a bug in it, with the bug. test/compact/scenarios.test.ts still runs them
// on both engines (byte-identical transcripts) but leaves the expectation to
// test/compact/wire-faults.test.ts, where it is asserted as a normal test that fails until the
// bug is fixed (scenarios.test.ts fails too when a listed scenario starts to hold, so
// this list cannot go stale). When a bug is fixed, remove its line here.
export const KNOWN_COMPACT_BUGS: Record<string, string> = {};
