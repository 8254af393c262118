import { configDefaults, defineConfig } from "vitest/config";

// Two groups, one after the other. Everything on the virtual clock runs in two workers (vitest's
// default on a two-core machine is one: the suite ran serially). The few tests that run real
// runtimes in real time against `cellmail modem --pty` (the Espruino interpreter, the pty, the CLI
// through it) run afterwards, one file at a time, with the machine to themselves: their bounds are
// real seconds, and a loaded machine is what once cut a console line in half (test/espruino/flash).
const REAL_TIME = ["test/espruino/**/*.test.ts", "test/cli/modem-pty.test.ts", "test/cli/send.test.ts"];
// The real Moddable runtime runs apart: npm run test:moddable (vitest.moddable.config.ts).
const APART = [...configDefaults.exclude, "test/moddable/**"];

export default defineConfig({
  test: {
    // The small-stack xsnap-worker is built (once per machine) before any test runs.
    globalSetup: ["test/global-setup.ts"],
    // End-to-end tests run a real SMTP server and child processes (XS); give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "virtual-clock", include: ["test/**/*.test.ts"], exclude: [...APART, ...REAL_TIME], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "real-time", include: REAL_TIME, exclude: APART, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
