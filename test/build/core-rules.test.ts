// The core's language rules (DESIGN.md section 3) checked file by file: each core file,
// compiled to ES2015 the way the bundles are, must parse as ES2015 and use nothing that
// Espruino or XS lacks, and must not allocate at module top level (Moddable's preload
// freezes module-level state). The bundles are gated as a whole in espruino-gate.test.ts.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import * as acorn from "acorn";
import * as walk from "acorn-walk";

const ROOT = join(import.meta.dirname, "../..");
/** The portable core: every folder that goes into every bundle (platform adapters and targets are gated by the bundle gates). */
const CORE = ["firmware/at", "firmware/modem", "firmware/mail", "firmware/alarm", "firmware/config", "firmware/app", "firmware/text"];
// Optional modules (firmware/ext/<module>/) obey the same rules: any composition may carry them.
const EXT = join(ROOT, "firmware/ext");
if (existsSync(EXT)) for (const m of readdirSync(EXT, { withFileTypes: true })) if (m.isDirectory()) CORE.push(`firmware/ext/${m.name}`);
const FILES = ["firmware/errors.ts"];
for (const dir of CORE) for (const f of readdirSync(join(ROOT, dir))) if (f.endsWith(".ts")) FILES.push(`${dir}/${f}`);

const BANNED_GLOBALS = new Set(["Map", "Set", "WeakMap", "Symbol", "TextEncoder", "TextDecoder", "Buffer", "Proxy", "Reflect", "Promise"]);
const BANNED_MEMBERS = new Set(["Array.from", "Number.isInteger", "Math.trunc", "Object.freeze"]);
const BANNED_METHODS = new Set(["search", "lastIndexOf", "padStart", "padEnd", "includes"]);

function violations(file: string): string[] {
  return check(readFileSync(join(ROOT, file), "utf8"), file);
}

function check(src: string, file: string): string[] {
  const out: string[] = [];
  if (/\benum\s+\w+/.test(src)) out.push("TS enum");
  if (/from\s+"node:|from\s+"(fs|path|buffer)"|host-sim/.test(src)) out.push("imports Node or host-sim");
  const js = ts.transpileModule(src, {
    compilerOptions: { target: ts.ScriptTarget.ES2015, module: ts.ModuleKind.ESNext, useDefineForClassFields: false },
  }).outputText;
  let ast: acorn.Program;
  try {
    ast = acorn.parse(js, { ecmaVersion: 2015, sourceType: "module" });
  } catch (e) {
    return [`not ES2015: ${(e as Error).message}`];
  }
  walk.full(ast, (node: acorn.Node) => {
    const n = node as acorn.AnyNode;
    switch (n.type) {
      case "AssignmentPattern":
        out.push("default parameter / default value");
        break;
      case "ObjectPattern":
      case "ArrayPattern":
        out.push("destructuring");
        break;
      case "SpreadElement":
      case "RestElement":
        out.push("spread/rest");
        break;
      case "TaggedTemplateExpression":
        out.push("tagged template");
        break;
      case "LabeledStatement":
        out.push("label");
        break;
      case "Property":
        if (n.computed) out.push("computed property key");
        break;
      case "Literal":
        if ((n as acorn.Literal).regex) out.push("regular expression");
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
        if (n.generator || n.async) out.push("generator/async");
        break;
      case "Identifier":
        if (BANNED_GLOBALS.has(n.name)) out.push(`uses ${n.name}`);
        break;
      case "MemberExpression":
        if (n.object.type === "Identifier" && n.property.type === "Identifier") {
          const name = `${n.object.name}.${n.property.name}`;
          if (BANNED_MEMBERS.has(name)) out.push(`uses ${name}`);
        }
        if (!n.computed && n.property.type === "Identifier" && BANNED_METHODS.has(n.property.name)) out.push(`uses .${n.property.name}`);
        break;
    }
  });
  // No allocation at module top level (Moddable's preload freezes it).
  for (const stmt of ast.body) {
    const decl = stmt.type === "ExportNamedDeclaration" ? stmt.declaration : stmt;
    if (decl && decl.type === "VariableDeclaration") {
      for (const d of decl.declarations) {
        const t = d.init?.type;
        // A read-only table of literals is fine (preload freezes it); anything built or mutable is not.
        const literalTable =
          (t === "ArrayExpression" && (d.init as acorn.ArrayExpression).elements.length > 0 && (d.init as acorn.ArrayExpression).elements.every((e) => e !== null && e.type === "Literal")) ||
          (t === "ObjectExpression" && (d.init as acorn.ObjectExpression).properties.length > 0 && (d.init as acorn.ObjectExpression).properties.every((p) => p.type === "Property" && p.value.type === "Literal"));
        if ((t === "NewExpression" || t === "ArrayExpression" || t === "ObjectExpression" || t === "CallExpression") && !literalTable) {
          out.push(`top-level allocation in ${(d.id as acorn.Identifier).name}`);
        }
      }
    }
  }
  return out;
}

describe("core language rules (DESIGN.md section 3), file by file", () => {
  it("finds the core's files", () => {
    expect(FILES).toEqual(expect.arrayContaining(["firmware/at/engine.ts", "firmware/modem/ec800.ts", "firmware/mail/job.ts", "firmware/alarm/outbox.ts", "firmware/config/device.ts", "firmware/ext/validate/validate.ts", "firmware/ext/causes/texts.ts"]));
  });
  for (const f of FILES) {
    it(`${f} compiles to plain ES2015 without forbidden constructs`, () => {
      expect(violations(f)).toEqual([]);
    });
  }
  it("the gate itself catches violations", () => {
    const bad =
      'import { x } from "node:fs";\nconst m = new Map();\nconst q = [];\nexport function f(a = 1) { const { y } = x; return [...y].includes(/a|b/) || Array.from(y) || a ** 2; }';
    const found = check(bad, "bad.ts").join(" | ");
    for (const what of ["imports Node", "top-level allocation", "uses Map", "default parameter", "destructuring", "spread", "regular expression", "Array.from", ".includes"]) {
      expect(found).toContain(what);
    }
  });
});
