// What the CLI loads when it starts: the static imports reachable from host-sim/cli/main.ts.
// Every `cellmail` process (a fleet runs thousands of boards in one, tests start dozens) pays
// for them; the bundler (rollup, its TypeScript plugin, TypeScript itself) is about 130 MB and
// is loaded only by the commands that build (`import()` when they run). It once came in through
// the module that held the repository root.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const HEAVY = ["rollup", "@rollup/plugin-typescript", "typescript", "terser", "@rollup/plugin-terser", "@swc/core"];

/** Module specifiers a file loads when it is evaluated: static imports and re-exports, not `import type`, not `import()`. */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly && ts.isStringLiteral(s.moduleSpecifier)) out.push(s.moduleSpecifier.text);
    if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) out.push(s.moduleSpecifier.text);
  }
  return out;
}

/** The packages (by name) reachable from `entry` through static imports of repository files. */
function packagesLoadedBy(entry: string): Map<string, string> {
  const packages = new Map<string, string>(); // package -> the file that imports it
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) {
        const base = resolve(dirname(file), spec);
        const candidates = [base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts"), base];
        const next = candidates.find((c) => existsSync(c) && /\.(ts|mts)$/.test(c));
        if (next) todo.push(next);
      } else if (!spec.startsWith("node:")) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        if (!packages.has(name)) packages.set(name, file.slice(root.length + 1));
      }
    }
  }
  return packages;
}

describe("the CLI at start", () => {
  it("loads no bundler: rollup, its plugins and TypeScript come with the commands that build", () => {
    const loaded = packagesLoadedBy(join(root, "host-sim", "cli", "main.ts"));
    expect(loaded.size).toBeGreaterThan(3); // commander, serialport, smtp-server, ...: the walk works
    const heavy = HEAVY.filter((p) => loaded.has(p)).map((p) => `${p} (from ${loaded.get(p)})`);
    expect(heavy).toEqual([]);
  });

  it("the walk sees a bundler import where there is one (the XS bundler's own module)", () => {
    const loaded = packagesLoadedBy(join(root, "host-sim", "xs", "bundle.ts"));
    expect(loaded.has("rollup")).toBe(true);
  });
});
