// Bundled scenarios whose expectation the compact core (firmware/compact) does not meet
// yet because of a bug in it, with the bug. test/compact/scenarios.test.ts still runs them
// on both engines (byte-identical transcripts) but leaves the expectation to
// test/compact/bugs.test.ts, where it is asserted as a normal test that fails until the
// bug is fixed (scenarios.test.ts fails too when a listed scenario starts to hold, so
// this list cannot go stale). When a bug is fixed, remove its line here.
export const KNOWN_COMPACT_BUGS: Record<string, string> = {
  "byte-loss":
    "B4: 0.2 % byte loss does not end with the mail delivered exactly once (see bugs.test.ts); the full profile meets it with this seed",
};
KNOWN_COMPACT_BUGS["byte-corruption"] =
  "B6: a bit flipped inside a quoted value on its way to the module goes unnoticed: the mail arrives with the subject \"Alar-: door 1 open\" (see bugs.test.ts)";
