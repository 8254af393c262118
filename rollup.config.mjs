// Three builds of one core (DESIGN.md section 2.5):
//   dist/moddable/           ES modules for mcconfig, listed by cellmail's library manifest
//                            (manifests/moddable/cellmail.json): cellmail.js, the platform's
//                            Store (store.js: NVS Preference; lin/store.js: files) and
//                            lin/digital.js (embedded:io/digital over Linux GPIO sysfs)
//   dist/espruino/cellmail.js one minified ES2015 script for the `espruino` CLI
//   dist/node/main.js         ES module for Node (a real module on a serial port)
// Each build compiles TypeScript with the config of its target; type errors are
// reported by `npm run typecheck` (the builds warn and carry on, so a half-written
// module elsewhere does not block a bundle).
import typescript from "@rollup/plugin-typescript";
import { minify } from "terser";
import { minify as swcMinify } from "@swc/core";
import { fileURLToPath } from "node:url";
import { bundleNames, exactNames } from "./scripts/bundle-names.mjs";

/** Paths relative to this file, so the configs also work when imported from elsewhere (tests, bench). */
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Modules the Moddable SDK provides at link time (never bundled). */
const MODDABLE_BUILTINS = ["timer", "time", "preference", "file", "instrumentation", "console", "mc/config", "text/decoder", "text/encoder"];
/** Modules the library manifest maps per platform (each built here as an entry of its own). */
const MANIFEST_MAPPED = ["cellmail/store"];
const moddableExternal = (id) =>
  id.startsWith("embedded:") || id.startsWith("pins/") || MODDABLE_BUILTINS.includes(id) || MANIFEST_MAPPED.includes(id);

/** Node built-ins and installed packages stay imports in the Node build. */
const nodeExternal = (id) => id.startsWith("node:") || /^[a-z@][^:]*$/.test(id) && !id.startsWith(".");

/**
 * The Espruino bundle must never contain TypeScript's runtime helpers: on Espruino
 * they fail (no hoisting), and needing one means the source used syntax that
 * DESIGN.md section 3 rules out. Fail the build instead of shipping them.
 */
function noTslib() {
  return {
    name: "cellmail-no-tslib",
    resolveId(id, importer) {
      if (id === "tslib" || id.startsWith("tslib/")) {
        this.error(`${importer ?? "?"} needs a TypeScript helper (tslib): use plain ES2015 instead (DESIGN.md section 3)`);
      }
      return null;
    },
  };
}

/** Sources whose names cross the Espruino bundle's edge (besides .d.ts files): the stored device record and the module settings it extends. */
export const ESPRUINO_BOUNDARY = [here("./firmware/config/device.ts"), here("./firmware/modem/config.ts")];

/**
 * terser for the Espruino bundle. Besides local names it renames every property name
 * that TypeScript shows never leaves the bundle (scripts/bundle-names.mjs: not declared
 * in a .d.ts or a boundary file, not reached through any/unknown, not spelled in a
 * string), computed once per build from tsconfig.espruino.json. Platform APIs, built-ins
 * and the stored configuration's keys are left as written.
 */
function minifyEspruino() {
  let names;
  return {
    name: "cellmail-minify-espruino",
    buildStart() {
      names = bundleNames(here("./tsconfig.espruino.json"), ESPRUINO_BOUNDARY).mangled;
    },
    async renderChunk(code) {
      const result = await minify(code, {
        ecma: 2015,
        toplevel: true,
        mangle: { reserved: ["onInit"], properties: { regex: exactNames(names), keep_quoted: false, builtins: true } },
        // unsafe_arrows, unsafe_comps, pure_getters: safe for this code (no function is called
        // with `new` or reads `this`/`arguments` where terser turns it into an arrow, no
        // comparison of objects with valueOf, no getters) and about 70 bytes of the 16 KB.
        // inline: 1 only: inlining a function with parameters makes terser declare them as
        // `var`s after their first use, which Espruino (no hoisting) gets wrong. The gate
        // (test/build/espruino-gate.test.ts) rejects any use before declaration.
        // reduce_funcs: a function called once is written where it is called (about 110 bytes).
        // On Espruino an inlined body costs the time to skip it wherever it is not run, so the
        // serial handler's rare path keeps its function: the call to long() in
        // platform/espruino/frame-text.ts is marked /*@__NOINLINE__*/ (bench espruino.mail.*).
        compress: { ecma: 2015, passes: 2, unsafe_arrows: true, unsafe_comps: true, pure_getters: true, inline: 1, keep_fargs: true, reduce_funcs: true, hoist_funs: false },
        format: { ecma: 2015, comments: false },
      });
      // A second pass, swc's, over terser's output (docs/targets.md, "Two minifiers", has the
      // figures). It writes a top-level function called once (the outbox's, the link's factories)
      // where it is called, as a function expression with its parameters: terser keeps such a
      // function declared (inline: 1, above), and on Espruino a declared function's text stays in
      // RAM for as long as the bundle runs, besides the copies its closures keep (about 370
      // variables after load). It also writes `let` for `const` and names the top level again
      // (about 420 bytes). The serial handler's time on the real interpreter did not change beyond
      // the machine's noise. The gate and the real interpreter's tests hold the result to the same
      // rules as terser's.
      const second = await swcMinify(result.code, {
        ecma: 2015,
        module: false,
        compress: { passes: 2, unsafe_arrows: true, unsafe_comps: true, pure_getters: true, inline: 1, keep_fargs: true, hoist_funs: false, toplevel: true },
        mangle: { toplevel: true, reserved: ["onInit"] },
        format: { comments: false },
      });
      return { code: second.code, map: null };
    },
  };
}

/**
 * Quiet the plugin's type diagnostics into warnings (npm run typecheck is the gate). Its
 * include filter is rooted here, not in the working directory: `cellmail flash` builds a
 * target from wherever it is run.
 */
const ts = (tsconfig, extra) =>
  typescript({ tsconfig, filterRoot: here("."), noEmitOnError: false, compilerOptions: { noEmit: false, ...extra } });

/**
 * One entry per module of the library manifest. They share no code (the platform modules
 * import types only), so each file stands alone: mcconfig resolves modules by the names
 * the manifest gives them, never by relative paths between outputs.
 */
export const moddable = {
  input: {
    cellmail: here("./firmware/targets/moddable/cellmail.ts"),
    store: here("./firmware/platform/moddable/store.ts"),
    "lin/store": here("./firmware/platform/moddable/lin/store.ts"),
    "lin/digital": here("./firmware/platform/moddable/lin/digital.ts"),
  },
  external: moddableExternal,
  output: { dir: here("./dist/moddable"), entryFileNames: "[name].js", format: "es", generatedCode: "es2015", sourcemap: true },
  plugins: [ts(here("./tsconfig.moddable.json"), { sourceMap: true })],
};

export const espruino = {
  input: here("./firmware/targets/espruino/main.ts"),
  // Espruino's built-ins are globals (require("Storage") is a plain call), never imports.
  external: () => false,
  treeshake: { moduleSideEffects: false },
  output: {
    file: here("./dist/espruino/cellmail.js"),
    format: "iife",
    strict: false, // no 'use strict' (Espruino ignores it; it costs RAM)
    freeze: false, // no Object.freeze around namespaces (Espruino has none)
    esModule: false,
    generatedCode: "es5", // rollup's own glue stays ES5
    sourcemap: false,
  },
  plugins: [
    noTslib(),
    ts(here("./tsconfig.espruino.json"), { sourceMap: false, importHelpers: false, noEmitHelpers: false }),
    minifyEspruino(),
  ],
};

export const node = {
  input: here("./firmware/targets/node/main.ts"),
  external: nodeExternal,
  output: { file: here("./dist/node/main.js"), format: "es", sourcemap: true },
  plugins: [
    typescript({
      tsconfig: false,
      noEmitOnError: false,
      include: ["firmware/**/*.ts"],
      exclude: ["firmware/platform/moddable/**", "firmware/platform/espruino/**", "firmware/targets/moddable/**", "firmware/targets/espruino/**"],
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "bundler",
        lib: ["ES2022"],
        types: ["node"],
        strict: true,
        skipLibCheck: true,
        useDefineForClassFields: false,
        sourceMap: true,
      },
    }),
  ],
};

export default [moddable, espruino, node];
