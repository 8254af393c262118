// The Espruino syntax gate: parses a script with acorn at ECMAScript 2015 (so anything
// newer, such as `**`, `?.`, `??`, async/await or object spread, fails to parse) and walks
// the tree for what DESIGN.md section 3 rules out although ES2015 allows it, plus globals
// that Espruino does not have and names used before their declaration has run (Espruino
// does not hoist). CI cannot run Espruino, so this is what keeps the bundle runnable.
import { parse, type Node } from "acorn";

export interface Violation {
  rule: string;
  message: string;
  /** Offset in the source. */
  at: number;
}

/** Globals an Espruino 2v2x build provides that the firmware may use. */
export const ESPRUINO_GLOBALS = new Set([
  // language
  "undefined", "NaN", "Infinity", "Object", "Function", "Array", "String", "Number", "Boolean", "Math", "JSON",
  "Date", "Promise", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "InternalError",
  "ArrayBuffer", "DataView", "Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array", "Int16Array",
  "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "parseInt", "parseFloat", "isNaN", "isFinite",
  "encodeURIComponent", "decodeURIComponent", "btoa", "atob", "arguments",
  // Espruino
  "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setWatch", "clearWatch", "getTime", "setTime",
  "print", "console", "require", "E", "process", "global", "Serial1", "Serial2", "Serial3", "USB",
  "digitalRead", "digitalWrite", "pinMode", "analogRead", "Pin",
]);

/** Globals that are commonly reached for and that Espruino lacks, with the reason. */
const BANNED_GLOBALS: { [name: string]: string } = {
  Map: "Espruino has no Map",
  Set: "Espruino has no Set",
  WeakMap: "Espruino has no WeakMap",
  WeakSet: "Espruino has no WeakSet",
  Symbol: "Espruino has no Symbol",
  TextEncoder: "Espruino has no TextEncoder",
  TextDecoder: "Espruino has no TextDecoder",
  Buffer: "Node's Buffer does not exist on Espruino",
  RegExp: "regular expressions misbehave on Espruino (alternation inside a group)",
  Reflect: "Espruino has no Reflect",
  Proxy: "Espruino has no Proxy",
  BigInt: "Espruino has no BigInt",
  globalThis: "use Espruino's `global` if anything",
  queueMicrotask: "Espruino has no queueMicrotask",
  structuredClone: "Espruino has no structuredClone",
  setImmediate: "Espruino has no setImmediate",
};

/** Static members Espruino lacks: object name -> member names. */
const BANNED_STATICS: { [object: string]: { [member: string]: string } } = {
  Object: { freeze: "Espruino has no Object.freeze" },
  Array: { from: "Espruino has no Array.from" },
  Number: { isInteger: "Espruino has no Number.isInteger" },
  Math: { trunc: "Espruino has no Math.trunc" },
};

/**
 * Built-ins whose methods Espruino keeps on the values, not on the prototypes:
 * `String.prototype.charCodeAt`, `Array.prototype.push`, `Uint8Array.prototype.indexOf`,
 * `Function.prototype.call` are undefined there (`"".charCodeAt`, `[].push` are functions).
 * Any read of their `prototype` is refused. Object.prototype.hasOwnProperty exists there.
 */
const VALUE_BUILTINS = new Set([
  "String", "Array", "Function", "Number", "Boolean", "ArrayBuffer", "DataView", "Uint8Array", "Int8Array",
  "Uint8ClampedArray", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array",
]);

/** Methods Espruino lacks, caught whenever they are called (`x.search(...)`). */
const BANNED_METHODS: { [member: string]: string } = {
  search: "Espruino has no String.prototype.search",
  lastIndexOf: "Espruino has no Array.prototype.lastIndexOf",
};

type AnyNode = Node & { [key: string]: any };

/** Own-property lookup (the tables are plain objects: "toString" must not match Object.prototype). */
function ownValue<T>(table: { [key: string]: T }, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

interface Binding {
  /** Where the declaration starts (for use-before-declaration). */
  at: number;
  /** Function and class declarations, var and let/const declarators. */
  kind: string;
}

interface Scope {
  node: AnyNode;
  /** A function or the program: `var` and function declarations land here. */
  isFunction: boolean;
  names: { [name: string]: Binding };
  parent: Scope | undefined;
}

function isFunctionNode(node: AnyNode): boolean {
  return (
    node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression"
  );
}

function declare(scope: Scope, name: string, binding: Binding): void {
  if (!Object.prototype.hasOwnProperty.call(scope.names, name)) scope.names[name] = binding;
}

function functionScopeOf(scope: Scope): Scope {
  let s: Scope = scope;
  while (!s.isFunction && s.parent) s = s.parent;
  return s;
}

/** Child nodes of any ESTree node, in source order. */
function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === "type" || key === "start" || key === "end" || key === "loc" || key === "range") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === "string") out.push(item);
    } else if (value && typeof value.type === "string") {
      out.push(value);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Check one script. Returns every violation found (empty when the script passes).
 * `extraGlobals` adds names the script may use besides ESPRUINO_GLOBALS.
 */
export function checkEspruinoScript(code: string, extraGlobals?: string[]): Violation[] {
  const violations: Violation[] = [];
  const report = (rule: string, at: number, message: string): void => {
    violations.push({ rule, at, message });
  };

  let program: AnyNode;
  try {
    program = parse(code, { ecmaVersion: 2015, sourceType: "script", allowReturnOutsideFunction: false }) as AnyNode;
  } catch (e) {
    const err = e as { message: string; pos?: number };
    report("syntax", err.pos ?? 0, `not ES2015: ${err.message}`);
    return violations;
  }

  const allowed = new Set(ESPRUINO_GLOBALS);
  for (const name of extraGlobals ?? []) allowed.add(name);

  // Pass 1: scopes and declarations.
  const scopeOf = new Map<AnyNode, Scope>();
  const root: Scope = { node: program, isFunction: true, names: {}, parent: undefined };
  scopeOf.set(program, root);

  const collect = (node: AnyNode, scope: Scope): void => {
    let inner = scope;
    if (isFunctionNode(node)) {
      if (node.type === "FunctionDeclaration" && node.id) {
        declare(functionScopeOf(scope), node.id.name, { at: node.start, kind: "function" });
      }
      inner = { node, isFunction: true, names: {}, parent: scope };
      scopeOf.set(node, inner);
      if (node.type === "FunctionExpression" && node.id) declare(inner, node.id.name, { at: -1, kind: "self" });
      for (const param of node.params) if (param.type === "Identifier") declare(inner, param.name, { at: -1, kind: "param" });
    } else if (node.type === "ClassDeclaration" || node.type === "ClassExpression") {
      if (node.type === "ClassDeclaration" && node.id) declare(scope, node.id.name, { at: node.start, kind: "class" });
      if (node.type === "ClassExpression" && node.id) {
        inner = { node, isFunction: false, names: {}, parent: scope };
        scopeOf.set(node, inner);
        declare(inner, node.id.name, { at: -1, kind: "self" });
      }
    } else if (
      node.type === "BlockStatement" ||
      node.type === "ForStatement" ||
      node.type === "ForInStatement" ||
      node.type === "ForOfStatement" ||
      node.type === "SwitchStatement"
    ) {
      inner = { node, isFunction: false, names: {}, parent: scope };
      scopeOf.set(node, inner);
    } else if (node.type === "CatchClause") {
      inner = { node, isFunction: false, names: {}, parent: scope };
      scopeOf.set(node, inner);
      if (node.param && node.param.type === "Identifier") declare(inner, node.param.name, { at: -1, kind: "param" });
    } else if (node.type === "VariableDeclaration") {
      const target = node.kind === "var" ? functionScopeOf(scope) : scope;
      for (const d of node.declarations) {
        if (d.id.type === "Identifier") declare(target, d.id.name, { at: d.start, kind: node.kind });
      }
    }
    for (const child of children(node)) collect(child, inner);
  };
  collect(program, root);

  // Pass 2: banned constructs and references.
  const visit = (node: AnyNode, parent: AnyNode | undefined, scope: Scope, fnDepth: number): void => {
    const own = scopeOf.get(node);
    const inner = own ?? scope;
    switch (node.type) {
      case "AssignmentPattern":
        report("default-param", node.start, "default parameters / default values are not allowed");
        break;
      case "ArrayPattern":
      case "ObjectPattern":
        report("destructuring", node.start, "destructuring is not allowed");
        break;
      case "RestElement":
        report("rest", node.start, "rest parameters/elements are not allowed");
        break;
      case "SpreadElement":
        report("spread", node.start, "spread is not allowed");
        break;
      case "YieldExpression":
        report("generator", node.start, "generators are not allowed");
        break;
      case "TaggedTemplateExpression":
        report("tagged-template", node.start, "tagged templates are not allowed");
        break;
      case "LabeledStatement":
        report("label", node.start, "labels are not allowed");
        break;
      case "WithStatement":
        report("with", node.start, "`with` is not allowed");
        break;
      case "MetaProperty":
        report("meta-property", node.start, "new.target is not allowed");
        break;
      case "ImportDeclaration":
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        report("module", node.start, "module syntax is not allowed in the Espruino script");
        break;
      case "Literal":
        if (node.regex) report("regex", node.start, "regular expression literals are not allowed");
        break;
      case "Property":
      case "MethodDefinition":
        if (node.computed) report("computed-key", node.start, "computed property keys are not allowed");
        break;
      case "MemberExpression": {
        const object = node.object;
        const property = node.property;
        const member = !node.computed && property.type === "Identifier" ? property.name : undefined;
        const statics = member && object.type === "Identifier" ? ownValue(BANNED_STATICS, object.name) : undefined;
        const missingStatic = statics && member ? ownValue(statics, member) : undefined;
        if (missingStatic) report("missing-builtin", node.start, missingStatic);
        if (
          member === "apply" &&
          object.type === "MemberExpression" &&
          !object.computed &&
          object.property.type === "Identifier" &&
          object.property.name === "fromCharCode"
        ) {
          report("fromCharCode-apply", node.start, "String.fromCharCode.apply takes at most 256 arguments on Espruino");
        }
        const name = member ?? (node.computed && property.type === "Literal" ? String(property.value) : undefined);
        if (name === "prototype" && object.type === "Identifier" && VALUE_BUILTINS.has(object.name)) {
          report("builtin-prototype", node.start, `${object.name}.prototype: Espruino keeps built-in methods on the values (read "".charCodeAt, not String.prototype.charCodeAt)`);
        }
        const missingMethod = member ? ownValue(BANNED_METHODS, member) : undefined;
        if (missingMethod && parent && parent.type === "CallExpression" && parent.callee === node) {
          report("missing-builtin", node.start, missingMethod);
        }
        break;
      }
      default:
        break;
    }
    if (isFunctionNode(node)) {
      if (node.generator) report("generator", node.start, "generators are not allowed");
      if (node.async) report("async", node.start, "async functions are not allowed");
    }

    if (node.type === "Identifier" && isReference(node, parent)) {
      checkReference(node, scope, fnDepth);
    }

    const depth = isFunctionNode(node) ? fnDepth + 1 : fnDepth;
    for (const child of children(node)) {
      // A function's own name and parameters are bindings, not references.
      if (isFunctionNode(node) && (child === node.id || node.params.indexOf(child) >= 0) && child.type === "Identifier") continue;
      visit(child, node, inner, depth);
    }
  };

  const fnDepthOfScope = new Map<Scope, number>();
  const depthOf = (scope: Scope): number => {
    let d = 0;
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.isFunction && s !== root) d++;
    return d;
  };

  const checkReference = (id: AnyNode, scope: Scope, fnDepth: number): void => {
    const name: string = id.name;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const binding = Object.prototype.hasOwnProperty.call(s.names, name) ? s.names[name] : undefined;
      if (!binding) continue;
      // Declared here. Used before its declaration ran? Only decidable when the use is in
      // the same function as the declaration (a closure may well run later).
      let declDepth = fnDepthOfScope.get(s);
      if (declDepth === undefined) {
        declDepth = depthOf(s);
        fnDepthOfScope.set(s, declDepth);
      }
      const loop = s.node.type === "ForStatement" || s.node.type === "ForInStatement" || s.node.type === "ForOfStatement";
      if (loop && (binding.kind === "let" || binding.kind === "const") && fnDepth > declDepth) {
        report(
          "loop-closure",
          id.start,
          `"${name}" from a for-loop head is captured by a closure (not a fresh binding per iteration on Espruino)`,
        );
      }
      if (binding.at >= 0 && id.start < binding.at && fnDepth === declDepth) {
        report(
          "use-before-declaration",
          id.start,
          `"${name}" is used before its ${binding.kind} declaration has run (Espruino does not hoist)`,
        );
      }
      return;
    }
    const banned = ownValue(BANNED_GLOBALS, name);
    if (banned) {
      report("banned-global", id.start, `${name}: ${banned}`);
    } else if (!allowed.has(name)) {
      report("unknown-global", id.start, `${name} is not a global Espruino provides`);
    }
  };

  visit(program, undefined, root, 0);
  return violations.sort((a, b) => a.at - b.at);
}

/** Is this Identifier read or written as a variable (not a property name, label or binding)? */
function isReference(id: AnyNode, parent: AnyNode | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case "MemberExpression":
      return parent.object === id || parent.computed;
    case "Property":
      // { key: value }: the key is a name unless computed; a shorthand's value is a reference.
      if (parent.key === id && !parent.computed) return parent.shorthand && parent.value === id;
      return true;
    case "MethodDefinition":
      return parent.key !== id || parent.computed;
    case "VariableDeclarator":
      return parent.id !== id;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return parent.id !== id && parent.params.indexOf(id) < 0;
    case "ClassDeclaration":
    case "ClassExpression":
      return parent.id !== id;
    case "CatchClause":
      return parent.param !== id;
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return false;
    default:
      return true;
  }
}
