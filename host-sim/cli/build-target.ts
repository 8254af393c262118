// One target's build with the repository's rollup configuration, as `npm run build` does
// it for all of them: `cellmail flash` builds what it loads (dist/moddable/,
// dist/espruino/cellmail.js) without running the whole build.
// rollup is loaded when a build runs: every other command of the CLI starts without it.
import type { OutputOptions, RollupOptions } from "rollup";

export type BuildTarget = "moddable" | "espruino";

export async function buildTarget(target: BuildTarget): Promise<void> {
  const configUrl = new URL("../../rollup.config.mjs", import.meta.url).href;
  const config = ((await import(configUrl)) as Record<BuildTarget, RollupOptions>)[target];
  const { rollup } = await import("rollup");
  const bundle = await rollup({ ...config, onwarn: () => {} });
  try {
    await bundle.write(config.output as OutputOptions);
  } finally {
    await bundle.close();
  }
}
