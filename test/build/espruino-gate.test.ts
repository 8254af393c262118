// The Espruino gate on the real bundle, and proof that the gate catches every construct
// DESIGN.md section 3 rules out (one small negative fixture each).
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ESPRUINO_BUNDLE_LIMIT, buildEspruinoBundle } from "../../bench/bundle-size.js";
import { checkEspruinoScript, type Violation } from "./espruino-gate.js";

const rules = (violations: Violation[]): string[] => violations.map((v) => v.rule);

describe("the Espruino bundle (dist/espruino/cellmail.js, built fresh)", () => {
  let code = "";

  it("builds", async () => {
    code = await buildEspruinoBundle();
    expect(code.length).toBeGreaterThan(0);
  });

  it("passes the syntax gate", () => {
    const violations = checkEspruinoScript(code);
    const shown = violations.map((v) => `${v.rule} @${v.at}: ${v.message} ... ${code.slice(Math.max(0, v.at - 30), v.at + 30)}`);
    expect(shown).toEqual([]);
  });

  it(`is at most ${ESPRUINO_BUNDLE_LIMIT} bytes minified`, () => {
    expect(Buffer.byteLength(code, "utf8")).toBeLessThanOrEqual(ESPRUINO_BUNDLE_LIMIT);
  });

  it("runs as a plain script in a context holding only Espruino-like globals", () => {
    const printed: string[] = [];
    const setups: Array<[string, number]> = [];
    const serial = (name: string) => ({
      setup: (baud: number) => setups.push([name, baud]),
      on: () => {},
      removeAllListeners: () => {},
      write: () => {},
      available: () => 0,
    });
    const storage = { readJSON: () => ({ lteBaud: 9600 }), readArrayBuffer: () => undefined, write: () => true, erase: () => {}, list: () => [] };
    const context = {
      Serial1: serial("Serial1"),
      Serial2: serial("Serial2"),
      getTime: () => 1,
      setTimeout: () => 1,
      clearTimeout: () => {},
      setWatch: () => 1,
      clearWatch: () => {},
      digitalRead: () => 0,
      pinMode: () => {},
      print: (text: string) => printed.push(text),
      require: (name: string) => {
        if (name !== "Storage") throw new Error(`no module ${name}`);
        return storage;
      },
    };
    runInNewContext(code, context);
    // Settings came from Storage ("cellmail.json"), the module's port was opened once.
    expect(setups).toEqual([["Serial2", 9600]]);
    void printed;
  });

  it("is one plain script: no module syntax, no 'use strict', no Object.freeze, no tslib helpers", () => {
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    expect(code).not.toContain("use strict");
    expect(code).not.toContain("Object.freeze");
    expect(code).not.toMatch(/__(extends|awaiter|generator|spreadArray|assign|rest|values|read)\b/);
  });
});

describe("the gate accepts the ES2015 the core is written in", () => {
  it("passes classes, getters, super, arrows, let/const, templates, for-of, Promise", () => {
    const ok = `
      class A { constructor(x) { this.x = x; } get double() { return this.x * 2; } static make() { return new A(1); } }
      class B extends A { constructor() { super(2); } describe() { return \`B \${this.double}\`; } }
      const list = [1, 2, 3];
      let sum = 0;
      for (const n of list) sum += n;
      const f = (a, b) => a + b;
      new Promise(function (resolve) { setTimeout(resolve, 10); }).then(() => print(String(f(sum, new B().double))));
      const bytes = new Uint8Array(8); bytes.set([1, 2], 0); const i = bytes.indexOf(2);
      const o = { a: 1, b() { return i; } };
      try { JSON.parse("{}"); } catch (e) { print(e.message); }
      E.on("init", function () { Serial1.setup(115200); });
      // names that live on Object.prototype are not mistaken for banned members
      const hex = (255).toString(16) + o.constructor.name + Object.prototype.hasOwnProperty.call(o, "a") + Math.floor(1.5);
    `;
    expect(checkEspruinoScript(ok)).toEqual([]);
  });
});

// Each fixture holds exactly one construct the gate must reject, and the rule it must report.
const NEGATIVE: Array<{ name: string; code: string; rule: string }> = [
  { name: "default parameter", code: "function f(a = 1) { return a; } f();", rule: "default-param" },
  { name: "array destructuring", code: "var p = [1, 2]; var [a, b] = p; print(a + b);", rule: "destructuring" },
  { name: "object destructuring", code: "var p = { a: 1 }; var { a } = p; print(a);", rule: "destructuring" },
  { name: "destructuring parameter", code: "function f({ a }) { return a; } f({ a: 1 });", rule: "destructuring" },
  { name: "rest parameter", code: "function f(...xs) { return xs; } f(1);", rule: "rest" },
  { name: "array spread", code: "var a = [1]; var b = [...a];", rule: "spread" },
  { name: "call spread", code: "var a = [1]; Math.max(...a);", rule: "spread" },
  { name: "object spread (ES2018)", code: "var a = {}; var b = { ...a };", rule: "syntax" },
  { name: "async function (ES2017)", code: "async function f() { return 1; }", rule: "syntax" },
  { name: "await (ES2017)", code: "async function f() { await 1; }", rule: "syntax" },
  { name: "async arrow (ES2017)", code: "var f = async () => 1;", rule: "syntax" },
  { name: "generator", code: "function* g() { yield 1; } g();", rule: "generator" },
  { name: "Map", code: "var m = new Map(); m.set(1, 2);", rule: "banned-global" },
  { name: "Set", code: "var s = new Set();", rule: "banned-global" },
  { name: "WeakMap", code: "var w = new WeakMap();", rule: "banned-global" },
  { name: "Symbol", code: "var s = Symbol('x');", rule: "banned-global" },
  { name: "Object.freeze", code: "var o = Object.freeze({ a: 1 });", rule: "missing-builtin" },
  { name: "TextEncoder", code: "var b = new TextEncoder().encode('x');", rule: "banned-global" },
  { name: "TextDecoder", code: "var s = new TextDecoder().decode(new Uint8Array(1));", rule: "banned-global" },
  { name: "Buffer", code: "var b = Buffer.from('x');", rule: "banned-global" },
  { name: "computed property key", code: "var k = 'a'; var o = { [k]: 1 };", rule: "computed-key" },
  { name: "computed method name", code: "var k = 'a'; class C { [k]() { return 1; } }", rule: "computed-key" },
  { name: "** (ES2016)", code: "var x = 2 ** 3;", rule: "syntax" },
  { name: "?. (ES2020)", code: "var o = {}; var x = o?.a;", rule: "syntax" },
  { name: "?? (ES2020, lowered by TypeScript)", code: "var o = null; var x = o ?? 1;", rule: "syntax" },
  { name: "label", code: "outer: for (var i = 0; i < 2; i++) { break outer; }", rule: "label" },
  { name: "tagged template", code: "function t(s) { return s; } var x = t`a`;", rule: "tagged-template" },
  { name: "Array.from", code: "var a = Array.from([1]);", rule: "missing-builtin" },
  { name: "Number.isInteger", code: "var b = Number.isInteger(1);", rule: "missing-builtin" },
  { name: "Math.trunc", code: "var n = Math.trunc(1.5);", rule: "missing-builtin" },
  { name: ".search(", code: "var i = 'abc'.search('b');", rule: "missing-builtin" },
  { name: ".lastIndexOf(", code: "var i = [1, 2, 1].lastIndexOf(1);", rule: "missing-builtin" },
  { name: "regex literal with alternation in a group", code: "var ok = /(OK|ERROR)/.test('OK');", rule: "regex" },
  { name: "any regex literal", code: "var ok = /^OK$/.test('OK');", rule: "regex" },
  { name: "RegExp constructor", code: "var r = new RegExp('OK');", rule: "banned-global" },
  { name: "String.fromCharCode.apply", code: "var s = String.fromCharCode.apply(null, [65, 66]);", rule: "fromCharCode-apply" },
  { name: "a global Espruino lacks", code: "var t = performance.now();", rule: "unknown-global" },
  { name: "globalThis", code: "var g = globalThis;", rule: "banned-global" },
  { name: "setImmediate", code: "setImmediate(function () {});", rule: "banned-global" },
  { name: "module syntax", code: "export var a = 1;", rule: "syntax" },
  { name: "function called before its declaration ran", code: "h(); function h() { return 1; }", rule: "use-before-declaration" },
  { name: "var read before its declaration ran", code: "print(String(v)); var v = 1;", rule: "use-before-declaration" },
  {
    name: "var assigned before declaration (terser inlining pattern)",
    code: "(function () { var h = (l = 1, function (t) { return t < l; }); var l; h(0); })();",
    rule: "use-before-declaration",
  },
  {
    name: "closure capturing a for-let binding",
    code: "for (let i = 0; i < 3; i++) { setTimeout(function () { print(String(i)); }, 10); }",
    rule: "loop-closure",
  },
  { name: "new.target", code: "function F() { return new.target; } new F();", rule: "meta-property" },
  { name: "with", code: "var o = { a: 1 }; with (o) { print(String(a)); }", rule: "with" },
];

describe("the gate rejects every construct DESIGN.md section 3 rules out", () => {
  for (const fixture of NEGATIVE) {
    it(`rejects ${fixture.name}`, () => {
      expect(rules(checkEspruinoScript(fixture.code))).toContain(fixture.rule);
    });
  }
});
