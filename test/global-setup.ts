// Runs once before the test files (vitest globalSetup): builds the small-stack xsnap-worker
// when this machine has none for the installed sources (about a minute, once; cached in
// $HOME/.cache/cellmail, host-sim/xs/stack-worker.ts), so no test spends its own time
// budget on the build and parallel test workers never race for it.
import { stackWorkerPath } from "../host-sim/xs/stack-worker.js";

export default function setup(): void {
  stackWorkerPath((line) => console.log(line));
}
