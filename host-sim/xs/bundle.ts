// Build a core entry (TypeScript, ES modules) into one classic script that XS can
// evaluate with `XsWorker.evaluate`: rollup + @rollup/plugin-typescript at target
// ES2015 (the core's language level, DESIGN.md section 3), format iife, exports on one
// global. The bench uses it for the AT engine; the XS test suite uses it to run the
// whole core in XS.
//
//   const script = await bundleForXs({ entry: "bench/xs/entry-engine.ts", globalName: "XsBench" });
//   await worker.evaluate(script);           // defines `var XsBench = { ...exports }`
//
// Code in the entry runs inside XS: it may use the worker globals (print, gc,
// issueCommand) but not setTimeout or console, and it follows the core's ES2015 rules.
import { rollup, type Plugin } from "rollup";
import typescript from "@rollup/plugin-typescript";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { REPO_ROOT } from "../repo.js";

/** Repository root (host-sim/repo.ts; re-exported for the bundler's callers). */
export { REPO_ROOT };

export interface XsBundleOptions {
  /** Entry module, absolute or relative to the repository root. */
  entry: string;
  /** Global variable that receives the entry's exports (iife `name`). */
  globalName: string;
  /**
   * Module replacements: import specifier or absolute file path (as resolved) -> absolute
   * or repository-relative file to use instead. For stand-ins and test doubles.
   */
  alias?: Record<string, string>;
  /** Extra rollup plugins, run before TypeScript. */
  plugins?: Plugin[];
}

/** Compile and bundle `entry` into an ES2015 iife script for XS; returns the script text. */
export async function bundleForXs(options: XsBundleOptions): Promise<string> {
  const entry = isAbsolute(options.entry) ? options.entry : resolve(REPO_ROOT, options.entry);
  const aliases = new Map<string, string>();
  for (const [from, to] of Object.entries(options.alias ?? {})) {
    aliases.set(from, isAbsolute(to) ? to : resolve(REPO_ROOT, to));
  }
  const aliasPlugin: Plugin = {
    name: "cellmail-xs-alias",
    async resolveId(source, importer) {
      if (aliases.has(source)) return aliases.get(source)!;
      if (!importer || aliases.size === 0) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      if (resolved && aliases.has(resolved.id)) return aliases.get(resolved.id)!;
      return null;
    },
  };
  // A throw-away tsconfig whose only root is the entry: TypeScript then checks exactly
  // the entry's import graph (not every .ts file under the working directory).
  const tmp = mkdtempSync(join(tmpdir(), "cellmail-xs-bundle-"));
  const tsconfig = join(tmp, "tsconfig.json");
  writeFileSync(tsconfig, JSON.stringify({ files: [entry] }));
  const warnings: string[] = [];
  try {
    return await build(entry, options, aliasPlugin, tsconfig, warnings);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function build(
  entry: string,
  options: XsBundleOptions,
  aliasPlugin: Plugin,
  tsconfig: string,
  warnings: string[],
): Promise<string> {
  const bundle = await rollup({
    input: entry,
    // Keep rollup from reading the project's tsconfig-free defaults into odd places.
    treeshake: true,
    onwarn(warning) {
      warnings.push(warning.message);
    },
    plugins: [
      aliasPlugin,
      ...(options.plugins ?? []),
      typescript({
        // Self-contained settings: the core's language level, independent of tsconfig.json.
        tsconfig,
        include: ["**/*.ts"],
        filterRoot: REPO_ROOT,
        exclude: ["**/node_modules/**"],
        compilerOptions: {
          target: "ES2015",
          module: "ESNext",
          moduleResolution: "bundler",
          lib: ["ES2015"],
          types: [],
          strict: true,
          skipLibCheck: true,
          useDefineForClassFields: false,
          importHelpers: false,
          noEmitHelpers: false,
          sourceMap: false,
          declaration: false,
          noEmit: false,
          noEmitOnError: true,
          rootDir: REPO_ROOT,
        },
        noForceEmit: false,
      }),
    ],
  });
  try {
    const { output } = await bundle.generate({
      format: "iife",
      name: options.globalName,
      exports: "named",
      strict: true,
      sourcemap: false,
    });
    const chunk = output.find((o) => o.type === "chunk");
    if (!chunk || chunk.type !== "chunk") throw new Error("rollup produced no chunk");
    const bad = warnings.filter((w) => /unresolved|circular dependency|missing export/i.test(w));
    if (bad.length) throw new Error(`bundling ${options.entry} for XS: ${bad.join("; ")}`);
    return chunk.code;
  } finally {
    await bundle.close();
  }
}
