import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real Moddable runtime runs apart: npm run test:moddable (vitest.moddable.config.ts).
    exclude: [...configDefaults.exclude, "test/moddable/**"],
    // The small-stack xsnap-worker is built (once per machine) before any test runs.
    globalSetup: ["test/global-setup.ts"],
    // End-to-end tests run a real SMTP server and child processes (XS); give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
