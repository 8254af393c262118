// The Espruino bundle's size, for bench/results.json (`bundle.espruino.bytes`).
//
// Builds dist/espruino/cellmail.js's content in memory with the same rollup
// configuration as `npm run build` (so the figure is never stale), without writing
// files. The syntax gate (test/build/espruino-gate.test.ts) uses the same build.
import { rollup, type OutputOptions, type RollupOptions } from "rollup";

/**
 * Issue 5: the minified bundle must fit 16 KB to run on a real Espruino. Met by the
 * compact profile (firmware/compact, docs/profiles.md); test/build/espruino-gate.test.ts
 * holds every build to it, so a change that does not fit fails CI.
 */
export const ESPRUINO_BUNDLE_TARGET = 16384;

/** The minified Espruino bundle, built now from the sources. */
export async function buildEspruinoBundle(): Promise<string> {
  // A URL, not a literal specifier: the config is plain JavaScript without type declarations.
  const configUrl = new URL("../rollup.config.mjs", import.meta.url).href;
  const configModule = (await import(configUrl)) as { espruino: RollupOptions };
  const config = configModule.espruino;
  const bundle = await rollup({ ...config, onwarn: () => {} });
  try {
    const { output } = await bundle.generate(config.output as OutputOptions);
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/** Size in bytes (UTF-8, as uploaded) of the minified Espruino bundle. */
export async function espruinoBundleBytes(): Promise<number> {
  return new TextEncoder().encode(await buildEspruinoBundle()).length;
}
