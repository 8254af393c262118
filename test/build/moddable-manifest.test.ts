// cellmail's Moddable manifests against the facts of Moddable SDK 8.2.x (tools/moddable/
// README.md): a module path that does not exist is only a warning from mcconfig ("no
// modules match"), a missing io include builds fine and aborts at run time, a later
// manifest's `creation` overrides an earlier one's, and a preloaded module's top-level
// objects are frozen into the image. So all of that is checked here, after building
// dist/moddable exactly as `npm run build` does. The build itself runs in
// `npm run test:moddable` (test/moddable/), with the SDK.
//
//   manifests/moddable/cellmail.json   the library: module "cellmail", per-platform Store,
//                                      lin's embedded:io/digital, creation.stack
//   manifests/moddable/manifest.json   the bundled app: one user of the library
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "acorn";
import { simple as walkSimple } from "acorn-walk";
import { rollup, type OutputOptions, type RollupOptions } from "rollup";
import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../firmware/ext/validate/validate.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = join(root, "manifests/moddable");
const dist = join(root, "dist/moddable");

interface Manifest {
  include?: string | string[];
  creation?: { stack?: number };
  modules?: { [specifier: string]: string | string[] };
  preload?: string[];
  config?: { [key: string]: unknown };
  platforms?: { [platform: string]: Manifest & { error?: string } };
}

const library = JSON.parse(readFileSync(join(dir, "cellmail.json"), "utf8")) as Manifest;
const app = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every (specifier, path) a manifest lists, its platforms' included. */
function modulePaths(m: Manifest): Array<{ specifier: string; path: string }> {
  const out: Array<{ specifier: string; path: string }> = [];
  const add = (modules: Manifest["modules"]) => {
    for (const specifier of Object.keys(modules ?? {})) for (const path of list(modules![specifier])) out.push({ specifier, path });
  };
  add(m.modules);
  for (const name of Object.keys(m.platforms ?? {})) add(m.platforms![name].modules);
  return out;
}

/** The rollup outputs, by path relative to dist/moddable ("cellmail.js", "lin/store.js"). */
const built = new Map<string, string>();

function importsOf(code: string): string[] {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "module" });
  const imports: string[] = [];
  walkSimple(ast, {
    ImportDeclaration(node) {
      imports.push(String(node.source.value));
    },
  });
  return imports;
}

beforeAll(async () => {
  // Same configuration as `npm run build`, written to dist/moddable/.
  const configUrl = new URL("../../rollup.config.mjs", import.meta.url).href;
  const config = ((await import(configUrl)) as { moddable: RollupOptions }).moddable;
  const bundle = await rollup({ ...config, onwarn: () => {} });
  try {
    const out = await bundle.write(config.output as OutputOptions);
    for (const chunk of out.output) if (chunk.type === "chunk") built.set(chunk.fileName, chunk.code);
  } finally {
    await bundle.close();
  }
});

describe("manifests/moddable/cellmail.json (the library)", () => {
  it("includes the ECMA-419 io manifest (without it the build links and aborts at run time), the Preference module on esp32 only, the file module on lin", () => {
    expect(list(library.include)).toContain("$(MODDABLE)/modules/io/manifest.json");
    expect(list(library.include).some((i) => i.includes("preference"))).toBe(false);
    expect(list(library.platforms?.esp32?.include)).toContain("$(MODULES)/files/preference/manifest.json");
    expect(list(library.platforms?.lin?.include)).toContain("$(MODULES)/files/file/manifest.json");
    expect(library.platforms?.["..."]?.error).toMatch(/esp32.*lin/);
  });

  it("declares the JavaScript stack: creation.stack, a whole number of slots above the SDK's 384", () => {
    expect(Number.isInteger(library.creation?.stack)).toBe(true);
    expect(library.creation!.stack!).toBeGreaterThan(384);
  });

  it("lists module paths that exist, each one a rollup output: cellmail, and the platforms' Store and lin's digital IO", () => {
    const entries = modulePaths(library);
    const byName = new Map<string, string[]>();
    for (const e of entries) byName.set(e.specifier, [...(byName.get(e.specifier) ?? []), e.path]);
    expect(byName.get("cellmail")).toEqual(["../../dist/moddable/cellmail"]);
    expect(byName.get("cellmail/store")?.sort()).toEqual(["../../dist/moddable/lin/store", "../../dist/moddable/store"]);
    expect(library.platforms?.esp32?.modules?.["cellmail/store"]).toBe("../../dist/moddable/store");
    expect(library.platforms?.lin?.modules?.["cellmail/store"]).toBe("../../dist/moddable/lin/store");
    expect(library.platforms?.lin?.modules?.["embedded:io/digital"]).toBe("../../dist/moddable/lin/digital");
    for (const e of entries) expect(existsSync(resolve(dir, e.path) + ".js"), e.path).toBe(true);
    expect(library.preload).toEqual(["cellmail"]);
  });

  it("has flat settings the mcconfig command line can override: gpioRoot and storeRoot on lin, pins on esp32", () => {
    expect(library.config?.lteBaud).toBe(115200);
    expect(library.config?.alarmInputs).toBe(true);
    const esp32 = library.platforms?.esp32?.config ?? {};
    expect([typeof esp32.ltePort, typeof esp32.lteRx, typeof esp32.lteTx]).toEqual(["number", "number", "number"]);
    const lin = library.platforms?.lin?.config ?? {};
    expect(lin.gpioRoot).toBe("/sys/class/gpio/");
    expect(typeof lin.storeRoot).toBe("string");
    expect(typeof lin.lteDevice).toBe("string");
    expect(lin.alarmInputs).toBeUndefined(); // lin opens the alarm inputs too (sysfs)
  });
});

describe("manifests/moddable/manifest.json (the bundled app)", () => {
  it("includes manifest_base first and the library after it, so the library's creation.stack is the one that counts", () => {
    expect(list(app.include)).toEqual(["$(MODDABLE)/examples/manifest_base.json", "./cellmail.json"]);
    expect(app.creation?.stack).toBeUndefined();
  });

  it("is one user of the library: its main imports only `cellmail`", () => {
    expect(modulePaths(app)).toEqual([{ specifier: "*", path: "./app/main" }]);
    const code = readFileSync(join(dir, "app/main.js"), "utf8");
    expect(importsOf(code)).toEqual(["cellmail"]);
    expect(code).toMatch(/export default function main\(\)/);
  });

  it("carries a configuration the board accepts (validated at start)", () => {
    const checked = validateConfig(app.config?.cellmail);
    expect(checked.errors).toEqual([]);
  });
});

describe("dist/moddable (the modules the library lists)", () => {
  const provided: Record<string, string[]> = {
    "cellmail.js": ["mc/config", "cellmail/store", "timer", "time", "embedded:io/serial", "embedded:io/digital"],
    "store.js": ["preference"],
    "lin/store.js": ["file"],
    "lin/digital.js": ["file", "timer", "mc/config"],
  };

  it("are four stand-alone modules (no shared chunk: mcconfig resolves modules by name only)", () => {
    expect([...built.keys()].sort()).toEqual(Object.keys(provided).sort());
    const files = readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith(".js"));
    for (const f of Object.keys(provided)) expect(files).toContain(f);
  });

  it("import only what the SDK or the library manifest provides", () => {
    for (const [file, allowed] of Object.entries(provided)) {
      const imports = importsOf(built.get(file)!);
      expect(imports.filter((s) => !allowed.includes(s)), file).toEqual([]);
    }
    expect(importsOf(built.get("cellmail.js")!)).toContain("cellmail/store");
  });

  it("allocate nothing at module top level (they are preloaded: such objects would be frozen)", () => {
    for (const [file, code] of built) {
      const ast = parse(code, { ecmaVersion: "latest", sourceType: "module" }) as unknown as { body: unknown[] };
      const offenders: string[] = [];
      const visit = (node: any): void => {
        if (!node || typeof node.type !== "string") return;
        if (["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "MethodDefinition"].includes(node.type)) return; // runs later
        if (node.type === "NewExpression" || node.type === "ArrayExpression" || node.type === "ObjectExpression") {
          offenders.push(code.slice(node.start, Math.min(node.end, node.start + 60)));
        }
        for (const key of Object.keys(node)) {
          const v = node[key];
          if (Array.isArray(v)) v.forEach(visit);
          else if (v && typeof v.type === "string") visit(v);
        }
      };
      for (const statement of ast.body) visit(statement);
      expect(offenders, file).toEqual([]);
    }
  });

  it("cellmail.js exports the starter as its default; the Store modules export openStore and storeInfo; digital a class", () => {
    expect(built.get("cellmail.js")).toMatch(/export \{[^}]*\bcellmail as default\b[^}]*\}|export default function cellmail/);
    for (const f of ["store.js", "lin/store.js"]) expect(built.get(f)).toMatch(/export \{[^}]*\bopenStore\b[^}]*\bstoreInfo\b[^}]*\}/);
    expect(built.get("lin/digital.js")).toMatch(/export \{[^}]*\bDigital as default\b[^}]*\}|export default class Digital/);
  });
});
