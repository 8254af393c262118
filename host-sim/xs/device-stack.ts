// The JavaScript stack a Moddable build of cellmail gets, and the margin it keeps over what
// the core needs. The figure lives in one place, cellmail's library manifest
// (manifests/moddable/cellmail.json, `creation.stack`, in slots); everything else reads it:
//  - npm test runs every bundled scenario of every composition in XS at
//    floor(creation.stack / STACK_MARGIN) slots (test/scenarios/compositions.test.ts): passing there
//    proves the declared stack has the margin, without the bench;
//  - npm run bench finds the smallest stack that passes every scenario by bisection
//    (xs.stack.minSlots, bench/xs-stack.ts), and a test holds creation.stack to at least
//    STACK_MARGIN times the recorded figure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../repo.js";

/** The declared stack must be at least this many times the measured need. */
export const STACK_MARGIN = 1.5;

export const LIBRARY_MANIFEST = join(REPO_ROOT, "manifests", "moddable", "cellmail.json");

/** `creation.stack` of cellmail's library manifest, in slots. */
export function manifestStackSlots(): number {
  const manifest = JSON.parse(readFileSync(LIBRARY_MANIFEST, "utf8")) as { creation?: { stack?: unknown } };
  const slots = manifest.creation?.stack;
  if (typeof slots !== "number" || !Number.isInteger(slots) || slots <= 0) {
    throw new Error(`${LIBRARY_MANIFEST}: creation.stack must be a whole number of slots (found ${JSON.stringify(slots)})`);
  }
  return slots;
}

/** The stack the tests run the core with: the declared one less the margin. */
export function testedStackSlots(): number {
  return Math.floor(manifestStackSlots() / STACK_MARGIN);
}
