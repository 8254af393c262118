// A built script without its comments, and a target's bundle built now with the
// repository's rollup configuration (in memory, not minified): what the composition
// checks (test/build/compositions.test.ts, test/scenarios/compositions.test.ts) search for
// the text each optional module cannot be built without. Comments are left out because
// they may name a module the code does not carry.
import { parse, type Comment } from "acorn";
import type { OutputOptions, RollupOptions } from "rollup";

/** The code with every comment blanked out (positions kept). */
export function withoutComments(code: string, sourceType: "script" | "module" = "script"): string {
  const comments: Comment[] = [];
  parse(code, { ecmaVersion: "latest", sourceType, onComment: comments });
  let out = "";
  let at = 0;
  for (const c of comments) {
    out += code.slice(at, c.start) + " ".repeat(c.end - c.start);
    at = c.end;
  }
  return out + code.slice(at);
}

/**
 * The chunk `chunk` of the rollup build `config` (rollup.config.mjs: espruino, moddable,
 * node), without the Espruino minifier (which renames what the checks look for), comments
 * left out.
 */
export async function builtChunk(config: "espruino" | "moddable" | "node", chunk: string): Promise<string> {
  const configUrl = new URL("../../rollup.config.mjs", import.meta.url).href;
  const options = ((await import(configUrl)) as Record<string, RollupOptions>)[config];
  const { rollup } = await import("rollup");
  const plugins = (options.plugins as { name?: string }[]).filter((p) => p.name !== "cellmail-minify-espruino");
  const bundle = await rollup({ ...options, plugins: plugins as RollupOptions["plugins"], onwarn: () => {} });
  try {
    const output = options.output as OutputOptions;
    const { output: chunks } = await bundle.generate({ ...output, sourcemap: false });
    const found = chunks.find((c) => c.type === "chunk" && c.fileName === chunk);
    if (!found || found.type !== "chunk") throw new Error(`${config}: no chunk ${chunk} (${chunks.map((c) => c.fileName).join(", ")})`);
    return withoutComments(found.code, output.format === "es" ? "module" : "script");
  } finally {
    await bundle.close();
  }
}
