// Bundled scenarios whose expectation the compact core (firmware/compact) does not meet
// yet because of a bug in it, with the bug. test/compact/scenarios.test.ts still runs them
// on both engines (byte-identical transcripts) but leaves the expectation to
// test/compact/bugs.test.ts, where it is asserted as a normal test that fails until the
// bug is fixed. When a bug is fixed, remove its line here: the scenario suite then asserts
// the expectation too.
export const KNOWN_COMPACT_BUGS: Record<string, string> = {
  "injection-attempts":
    "B1: an ASCII subject with '\"' is refused (E_SUBJECT 1009) instead of going as UTF-8 hex (AT+QSMTPSUB=1) as DESIGN.md section 3 and the full profile do; " +
    "B2: an address with ',' is accepted, and the mail goes to two recipients",
  "byte-loss":
    "B4: every failed step of a mail (a single lost byte: a timeout or a plain ERROR) costs one of the 3 recoveries of the ladder, so 0.2 % byte loss ends the mail with 1020; the full profile retries the command in place",
};
