// manifests/moddable/manifest.json against the facts of Moddable SDK 8.2.x: a module
// path that does not exist is only a warning from mcconfig ("no modules match"), and a
// missing io include builds fine and aborts at run time. So both are checked here,
// after building dist/moddable exactly as `npm run build` does.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "acorn";
import { simple as walkSimple } from "acorn-walk";
import { rollup, type OutputOptions, type RollupOptions } from "rollup";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const manifestPath = join(root, "manifests/moddable/manifest.json");
const manifestDir = dirname(manifestPath);

interface Manifest {
  include?: string | string[];
  modules?: { [specifier: string]: string | string[] };
  preload?: string[];
  config?: { [key: string]: unknown };
  platforms?: { [platform: string]: Manifest & { error?: string } };
}

const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;

/** Every (specifier, path) the manifest lists, the platforms' own included. */
function modulePaths(m: Manifest): Array<{ specifier: string; path: string }> {
  const out: Array<{ specifier: string; path: string }> = [];
  const add = (modules: Manifest["modules"]) => {
    for (const specifier of Object.keys(modules ?? {})) {
      const value = modules![specifier];
      for (const path of Array.isArray(value) ? value : [value]) out.push({ specifier, path });
    }
  };
  add(m.modules);
  for (const name of Object.keys(m.platforms ?? {})) add(m.platforms![name].modules);
  return out;
}

let built = "";

beforeAll(async () => {
  // Same configuration as `npm run build`, written to dist/moddable/.
  const configUrl = new URL("../../rollup.config.mjs", import.meta.url).href;
  const config = ((await import(configUrl)) as { moddable: RollupOptions }).moddable;
  const bundle = await rollup({ ...config, onwarn: () => {} });
  try {
    await bundle.write(config.output as OutputOptions);
  } finally {
    await bundle.close();
  }
  built = readFileSync(resolve(root, (config.output as OutputOptions).file!), "utf8");
});

describe("manifests/moddable/manifest.json", () => {
  it("includes manifest_base and the ECMA-419 io manifest (without it the build links and aborts at run time)", () => {
    const includes = Array.isArray(manifest.include) ? manifest.include : [manifest.include];
    expect(includes).toContain("$(MODDABLE)/examples/manifest_base.json");
    expect(includes).toContain("$(MODDABLE)/modules/io/manifest.json");
  });

  it("lists only module paths that exist (mcconfig only warns 'no modules match')", () => {
    const entries = modulePaths(manifest).filter((e) => !e.path.startsWith("$("));
    expect(entries.length).toBeGreaterThan(0);
    const missing = entries.filter((e) => {
      const base = resolve(manifestDir, e.path);
      return !existsSync(base + ".js") && !existsSync(base + ".ts");
    });
    expect(missing).toEqual([]);
  });

  it("lists the rollup output dist/moddable/main.js as a module, and preloads only listed modules", () => {
    const paths = modulePaths(manifest).map((e) => resolve(manifestDir, e.path));
    expect(paths).toContain(join(root, "dist/moddable/main"));
    const names = modulePaths(manifest).map((e) => (e.specifier === "*" ? e.path.split("/").pop() : e.specifier));
    for (const name of manifest.preload ?? []) expect(names).toContain(name);
  });

  it("has configuration defaults and per-platform settings for esp32 (UART port and pins) and lin (device path)", () => {
    expect(manifest.config?.lteBaud).toBe(115200);
    // The cellmail configuration itself, validated by the board at start.
    expect(typeof (manifest.config?.cellmail as { smtp?: { provider?: unknown } } | undefined)?.smtp?.provider).toBe("string");
    const esp32 = manifest.platforms?.esp32?.config ?? {};
    expect(typeof esp32.ltePort).toBe("number");
    expect(typeof esp32.lteRx).toBe("number");
    expect(typeof esp32.lteTx).toBe("number");
    const lin = manifest.platforms?.lin?.config ?? {};
    expect(typeof lin.lteDevice).toBe("string");
    // lin has no embedded:io/digital: the manifest maps a stub and disables the input.
    expect(lin.alarmInputs).toBe(false);
    expect(manifest.platforms?.lin?.modules?.["embedded:io/digital"]).toBeDefined();
  });

  it("the built module imports only what the SDK (or the manifest) provides", () => {
    const ast = parse(built, { ecmaVersion: "latest", sourceType: "module" });
    const imports: string[] = [];
    walkSimple(ast, {
      ImportDeclaration(node) {
        imports.push(String(node.source.value));
      },
    });
    const provided = ["mc/config", "timer", "time", "preference", "embedded:io/serial", "embedded:io/digital"];
    expect(imports.filter((s) => !provided.includes(s))).toEqual([]);
    expect(imports).toContain("embedded:io/serial");
  });

  it("the built module allocates nothing at module top level (it is preloaded: such objects would be frozen)", () => {
    const ast = parse(built, { ecmaVersion: "latest", sourceType: "module" }) as unknown as {
      body: Array<{ type: string; start: number }>;
    };
    const offenders: string[] = [];
    const visit = (node: any): void => {
      if (!node || typeof node.type !== "string") return;
      if (
        node.type === "FunctionDeclaration" ||
        node.type === "FunctionExpression" ||
        node.type === "ArrowFunctionExpression" ||
        node.type === "MethodDefinition"
      ) {
        return; // runs later, in main()
      }
      if (node.type === "NewExpression") offenders.push(built.slice(node.start, Math.min(node.end, node.start + 60)));
      for (const key of Object.keys(node)) {
        const v = node[key];
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v.type === "string") visit(v);
      }
    };
    for (const statement of ast.body) visit(statement);
    expect(offenders).toEqual([]);
  });

  it("exports main() as the default (XS runs it at start-up)", () => {
    expect(built).toMatch(/export \{[^}]*\bmain as default\b[^}]*\}|export default function main/);
  });
});
