// The Espruino gate on the real bundle, and proof that the gate catches every construct
// DESIGN.md section 3 rules out (one small negative fixture each).
import { createContext, runInContext, runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ESPRUINO_BUNDLE_TARGET, buildEspruinoBundle } from "../../bench/bundle-size.js";
import { checkEspruinoScript, type Violation } from "./espruino-gate.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { createSimulatedModem } from "../../host-sim/index.js";
import type { OutgoingMail, SmtpEngine, SmtpSession } from "../../host-sim/smtp/types.js";
import type { Scenario } from "../../host-sim/scenarios/scenario.js";
import { compactJson, toCompact } from "../../host-sim/config/compact.js";

const latin1 = (bytes: ArrayLike<number>): string => {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
};

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

  // Issue 5: at most 16 KB minified, or it does not fit a real Espruino's RAM next to its
  // heap (bench reports the figure as bundle.espruino.bytes).
  it(`fits the ${ESPRUINO_BUNDLE_TARGET}-byte target`, () => {
    expect(Buffer.byteLength(code, "utf8")).toBeLessThanOrEqual(ESPRUINO_BUNDLE_TARGET);
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

  // The minified bundle renames property names that never leave it (rollup.config.mjs, scripts/bundle-names.mjs):
  // boot it for real, as a board would, against the simulated EC800 on the virtual clock, and
  // send an alarm mail from a (fake) input edge through to the module's SMTP engine.
  it("boots the app from Storage, brings the simulated module up and mails an input alarm", async () => {
    if (!code) code = await buildEspruinoBundle(); // when run alone (-t)
    const clock = new VirtualClock();
    const mails: OutgoingMail[] = [];
    const sessions: SmtpSession[] = [];
    const smtp: SmtpEngine = {
      deliver: async (session: SmtpSession, mail: OutgoingMail) => {
        sessions.push(session);
        mails.push(mail);
        return { err: 0, protocolError: 0, detail: "delivered (gate fake)" };
      },
    };
    const scenario = { name: "espruino-gate", module: { profile: "typical", urcPort: "uart1" }, expect: { delivered: [] } } as unknown as Scenario;
    const sim = createSimulatedModem({ clock, smtp, scenario });
    const written: number[] = [];
    let onData: ((data: string) => void) | undefined;
    let txQueue: number[] = [];
    const drain = () => {
      while (txQueue.length > 0) {
        const chunk = new Uint8Array(txQueue);
        const n = sim.uart.write(chunk, 0, chunk.length);
        txQueue = txQueue.slice(n);
        if (n === 0) break;
      }
    };
    sim.uart.attach({
      onBytes: (data, start, end) => {
        let text = "";
        for (let i = start; i < end; i++) text += String.fromCharCode(data[i]);
        onData?.(text);
      },
      onWritable: drain,
    });
    const setups: Array<[string, number]> = [];
    const serial = (name: string) => ({
      setup: (baud: number) => setups.push([name, baud]),
      on: (event: string, handler: (data: string) => void) => {
        if (event === "data") onData = handler;
      },
      removeAllListeners: () => {
        onData = undefined;
      },
      // As Espruino's: a string goes out as its character codes, a Uint8Array as its bytes.
      write: (data: Uint8Array | string) => {
        for (let i = 0; i < data.length; i++) {
          const byte = typeof data === "string" ? data.charCodeAt(i) : data[i];
          written.push(byte), txQueue.push(byte);
        }
        drain();
      },
      available: () => 0,
    });
    const files = new Map<string, Uint8Array>();
    // The configuration as `cellmail config --espruino` stores it: validated and flattened on the host.
    const compact = toCompact({
      board: "gate-board",
      smtp: { provider: "generic", server: "smtp.example.com", port: 465, user: "alarm@example.com", password: "gate-secret", ssl: { type: 1, verify: false } },
      sender: { name: "Gate board", address: "alarm@example.com" },
      recipients: { to: ["ops@example.com"] },
      network: { apn: "internet" },
      alarm: { inputs: [{ key: "leak", title: "Water leak", pin: 5, activeLevel: 0 }] },
    });
    expect(compact.errors).toEqual([]);
    const settingsJson = `{"lteSerial":2,"lteBaud":115200,"cellmail":${compactJson(compact.config!)}}`;
    const storage = {
      // Parsed inside the script's realm, as Espruino's own JSON would (arrays pass `instanceof Array`).
      readJSON: (name: string) => (name === "cellmail.json" ? runInContext(`JSON.parse(${JSON.stringify(settingsJson)})`, context) : undefined),
      readArrayBuffer: (name: string) => (files.has(name) ? files.get(name)!.slice().buffer : undefined),
      write: (name: string, data: Uint8Array) => (files.set(name, new Uint8Array(data)), true),
      erase: (name: string) => void files.delete(name),
      list: () => [...files.keys()],
    };
    const timers = new Map<number, unknown>();
    let nextTimer = 1;
    const watches: Array<{ fn: (e: { state: boolean }) => void; pin: number }> = [];
    const printed: string[] = [];
    let level = 1; // the alarm input's pin (pulled up: inactive)
    const context = createContext({
      // E.toUint8Array: the native string-to-bytes the Espruino serial adapter encodes commands with.
      E: { toUint8Array: (text: string) => runInContext(`new Uint8Array(${JSON.stringify([...text].map((c) => c.charCodeAt(0)))})`, context) },
      Serial1: serial("Serial1"),
      Serial2: serial("Serial2"),
      getTime: () => clock.now() / 1000,
      setTimeout: (fn: (arg?: unknown) => void, ms: number, arg?: unknown) => {
        const id = nextTimer++;
        timers.set(id, clock.setTimer(ms, () => (timers.delete(id), fn(arg))));
        return id;
      },
      clearTimeout: (id: number) => {
        if (timers.has(id)) clock.clearTimer(timers.get(id)), timers.delete(id);
      },
      setWatch: (fn: (e: { state: boolean }) => void, pin: number) => watches.push({ fn, pin }),
      clearWatch: () => {},
      digitalRead: () => level,
      pinMode: () => {},
      print: (text: string) => printed.push(text),
      require: (name: string) => {
        if (name !== "Storage") throw new Error(`no module ${name}`);
        return storage;
      },
    });
    runInContext(code, context);
    sim.powerOn();
    expect(setups).toEqual([["Serial2", 115200]]);
    expect(printed.join("\n")).toContain("cellmail (compact) started");
    // The module boots (RDY); bring-up is lazy: it starts with the first mail.
    await clock.run({ forMs: 10_000 });
    expect(watches.map((w) => w.pin)).toEqual([5]);
    level = 0; // the input goes to its active level
    watches[0].fn({ state: false });
    await clock.run({ until: () => mails.length > 0, forMs: 600_000 });
    expect(latin1(written)).toMatch(/^AT\r(AT\r)*ATE1\r/); // echo on: the compact link compares every echo
    expect(mails.length).toBe(1);
    expect(mails[0].to).toEqual(["ops@example.com"]);
    expect(latin1(mails[0].subject.bytes) + latin1(mails[0].body.bytes)).toContain("Water leak");
    // Config keys reached the module under their own names (never renamed).
    expect(sessions[0].server).toEqual({ host: "smtp.example.com", port: 465 });
    expect(sessions[0].account.user).toBe("alarm@example.com");
    expect(sessions[0].sender.name).toBe("Gate board");
    expect(latin1(written)).not.toContain("undefined");
    expect(printed.join("\n")).not.toContain("gate-secret");
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
      // built-in methods read from values, called with .call (what Espruino supports)
      const codeAt = "".charCodeAt; const push = [].push; const c0 = codeAt.call("A", 0); push.call(list, c0);
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
  { name: "String.prototype.charCodeAt", code: "var c = String.prototype.charCodeAt; print(String(c.call('A', 0)));", rule: "builtin-prototype" },
  { name: "Array.prototype.push", code: "var a = []; Array.prototype.push.call(a, 1);", rule: "builtin-prototype" },
  { name: "Uint8Array.prototype.indexOf", code: "var i = Uint8Array.prototype.indexOf.call(new Uint8Array(2), 0);", rule: "builtin-prototype" },
  { name: "Function.prototype.call", code: "var call = Function.prototype.call;", rule: "builtin-prototype" },
  { name: "Number.prototype read computed", code: "var f = Number['prototype'].toString;", rule: "builtin-prototype" },
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
