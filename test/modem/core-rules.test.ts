// Syntax gate for the modem and mail core: compiled at ES2015 the way the bundle is,
// the output must parse as ES2015 and avoid what Espruino or XS lack (DESIGN.md section 3).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import * as acorn from "acorn";
import * as walk from "acorn-walk";

const roots = ["firmware/modem", "firmware/mail"];
const files = ["firmware/errors.ts"];
for (const r of roots) for (const f of readdirSync(r)) if (f.endsWith(".ts")) files.push(join(r, f));

const bannedGlobals = ["Map", "Set", "WeakMap", "Symbol", "TextEncoder", "TextDecoder", "Buffer", "Promise", "RegExp", "setTimeout", "setInterval", "Date"];
const bannedMembers: [string, string][] = [["Array", "from"], ["Number", "isInteger"], ["Math", "trunc"], ["Object", "freeze"]];

describe("core language rules (modem, mail)", () => {
  for (const file of files) {
    it(file, () => {
      const src = readFileSync(file, "utf8");
      const out = ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2015, module: ts.ModuleKind.ESNext, useDefineForClassFields: false } });
      const ast = acorn.parse(out.outputText, { ecmaVersion: 2015, sourceType: "module" });
      const problems: string[] = [];
      walk.full(ast, (node: any) => {
        if (node.type === "Identifier" && bannedGlobals.includes(node.name)) problems.push("uses " + node.name);
        if (node.type === "Literal" && node.regex) problems.push("regular expression /" + node.regex.pattern + "/");
        if ((node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") && node.generator) problems.push("generator");
        if (node.type === "AssignmentPattern" || node.type === "ObjectPattern" || node.type === "ArrayPattern") problems.push("default parameter or destructuring");
        if (node.type === "RestElement" || node.type === "SpreadElement") problems.push("spread/rest");
        if (node.type === "Property" && node.computed) problems.push("computed key");
        if (node.type === "LabeledStatement") problems.push("label");
        if (node.type === "TaggedTemplateExpression") problems.push("tagged template");
        if (node.type === "MemberExpression" && node.object.type === "Identifier" && !node.computed) {
          for (const [o, p] of bannedMembers) if (node.object.name === o && node.property.name === p) problems.push(o + "." + p);
          if (node.property.name === "search") problems.push(".search");
        }
      });
      // module top level: no typed arrays or objects allocated at load time
      for (const stmt of (ast as any).body) {
        const decl = stmt.type === "ExportNamedDeclaration" ? stmt.declaration : stmt;
        if (decl && decl.type === "VariableDeclaration") {
          for (const d of decl.declarations) {
            const t = d.init && d.init.type;
            if (t && t !== "Literal" && t !== "UnaryExpression") problems.push("top-level allocation: " + d.id.name);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
