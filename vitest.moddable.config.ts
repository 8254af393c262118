// `npm run test:moddable`: the Moddable build on the real Moddable runtime (SDK `lin`,
// mcsim) against `cellmail modem --pty`. Not part of `npm test`: it needs the SDK and
// runs in real time (test/moddable/lin.test.ts says what it checks).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/moddable/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["verbose"],
    // One run after the other: they share the module, the GPIO folder and the Store.
    sequence: { concurrent: false },
    fileParallelism: false,
  },
});
