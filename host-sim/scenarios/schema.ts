// A small schema language for the scenario format: one table per object, so every field
// is checked the same way, with its path, and an unknown key is an error wherever it
// appears (a typo such as `"sise"` in `link.chunking` or `"subjet"` in a mail must not
// pass and leave a default in its place). `check(spec, value)` returns each problem once,
// as "path: what was expected".
//
// Specs are plain data built by the helpers below (num, int, str, bool, oneOf, arr, obj,
// record, tagged, anyOf, any); `where` adds a rule that needs more than one field.

export type Spec =
  | { t: "num"; min: number; max: number; int: boolean }
  | { t: "str"; nonEmpty: boolean; max: number }
  | { t: "bool" }
  | { t: "enum"; values: readonly (string | number)[] }
  | { t: "arr"; of: Spec; min: number; max: number }
  | { t: "obj"; fields: Record<string, Field>; rule?: Rule }
  | { t: "record"; key?: readonly string[]; of: Spec }
  | { t: "tagged"; tag: string; variants: Record<string, Spec> }
  | { t: "anyOf"; options: Spec[]; say: string }
  | { t: "any" };

/** A field of an object: its spec and whether it must be present. */
export type Field = Spec & { required?: boolean };
/** A rule over a whole object (after its fields checked): problems as [subpath or "", text]. */
export type Rule = (o: Record<string, unknown>) => [string, string][];

export const num = (min = -Infinity, max = Infinity): Spec => ({ t: "num", min, max, int: false });
export const int = (min = 0, max = Number.MAX_SAFE_INTEGER): Spec => ({ t: "num", min, max, int: true });
export const str = (o: { nonEmpty?: boolean; max?: number } = {}): Spec => ({ t: "str", nonEmpty: o.nonEmpty ?? false, max: o.max ?? Infinity });
export const bool = (): Spec => ({ t: "bool" });
export const oneOf = (...values: (string | number)[]): Spec => ({ t: "enum", values });
export const arr = (of: Spec, min = 0, max = Infinity): Spec => ({ t: "arr", of, min, max });
export const obj = (fields: Record<string, Field>, rule?: Rule): Spec => ({ t: "obj", fields, rule });
/** An object whose keys are free (or one of `key`), each value of one spec. */
export const record = (of: Spec, key?: readonly string[]): Spec => ({ t: "record", of, key });
/** An object whose `tag` field picks the table of the rest (e.g. a fault's `kind`). */
export const tagged = (tag: string, variants: Record<string, Spec>): Spec => ({ t: "tagged", tag, variants });
/** The first option that fits; `say` describes them all when none does. */
export const anyOf = (say: string, ...options: Spec[]): Spec => ({ t: "anyOf", options, say });
export const any = (): Spec => ({ t: "any" });
export const required = (s: Spec): Field => ({ ...s, required: true });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function range(s: { min: number; max: number }): string {
  if (s.min === -Infinity && s.max === Infinity) return "";
  if (s.max === Infinity || s.max === Number.MAX_SAFE_INTEGER) return ` >= ${s.min}`;
  return ` in [${s.min}, ${s.max}]`;
}

const join = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;

function walk(s: Spec, v: unknown, path: string, out: string[]): void {
  const at = path === "" ? "scenario" : path;
  switch (s.t) {
    case "any":
      return;
    case "num":
      // NaN, Infinity, strings and numbers out of range all fail here (a NaN chunk size hung the CLI).
      if (typeof v !== "number" || !Number.isFinite(v) || v < s.min || v > s.max || (s.int && !Number.isInteger(v))) {
        out.push(`${at}: expected ${s.int ? "an integer" : "a number"}${range(s)}`);
      }
      return;
    case "str":
      if (typeof v !== "string") out.push(`${at}: expected a string`);
      else if (s.nonEmpty && v === "") out.push(`${at}: expected a non-empty string`);
      else if (v.length > s.max) out.push(`${at}: longer than ${s.max} characters`);
      return;
    case "bool":
      if (typeof v !== "boolean") out.push(`${at}: expected true or false`);
      return;
    case "enum":
      if (!s.values.includes(v as string | number)) out.push(`${at}: expected one of ${s.values.join(", ")}`);
      return;
    case "arr":
      if (!Array.isArray(v)) return void out.push(`${at}: expected an array`);
      if (v.length < s.min) out.push(s.min === 1 ? `${at}: expected a non-empty array` : `${at}: expected at least ${s.min} entries`);
      if (v.length > s.max) out.push(`${at}: expected at most ${s.max} entries`);
      v.forEach((x, i) => walk(s.of, x, join(path, i), out));
      return;
    case "record":
      if (!isObject(v)) return void out.push(`${at}: expected an object`);
      for (const [k, x] of Object.entries(v)) {
        if (s.key && !s.key.includes(k)) out.push(`${join(path, k)}: unknown key (expected one of ${s.key.join(", ")})`);
        else walk(s.of, x, join(path, k), out);
      }
      return;
    case "obj": {
      if (!isObject(v)) return void out.push(`${at}: expected an object`);
      for (const k of Object.keys(v)) if (!(k in s.fields)) out.push(`${join(path, k)}: unknown field`);
      for (const [k, f] of Object.entries(s.fields)) {
        if (v[k] === undefined) {
          if (f.required) out.push(`${join(path, k)}: required`);
        } else walk(f, v[k], join(path, k), out);
      }
      if (s.rule) for (const [sub, text] of s.rule(v)) out.push(`${sub === "" ? at : join(path, sub)}: ${text}`);
      return;
    }
    case "tagged": {
      if (!isObject(v)) return void out.push(`${at}: expected an object`);
      const which = s.variants[String(v[s.tag])];
      if (typeof v[s.tag] !== "string" || !which) {
        return void out.push(`${join(path, s.tag)}: expected one of ${Object.keys(s.variants).join(", ")}${v[s.tag] === undefined ? "" : ` (got ${JSON.stringify(v[s.tag])})`}`);
      }
      if (which.t === "obj") walk({ ...which, fields: { [s.tag]: any(), ...which.fields } }, v, path, out);
      else walk(which, v, path, out);
      return;
    }
    case "anyOf": {
      for (const o of s.options) {
        const probe: string[] = [];
        walk(o, v, path, probe);
        if (probe.length === 0) return;
      }
      // Report the problems of the one option of the same shape (an object for an object), else say what fits.
      const shaped = s.options.filter((o) => (o.t === "obj" || o.t === "tagged") === isObject(v));
      if (shaped.length === 1 && isObject(v)) return walk(shaped[0], v, path, out);
      out.push(`${at}: expected ${s.say}`);
      return;
    }
  }
}

/** Every problem of `value` against `spec`, each once, in document order. */
export function check(spec: Spec, value: unknown): string[] {
  const out: string[] = [];
  walk(spec, value, "", out);
  return [...new Set(out)];
}
