// redact(config): a copy that is safe to log. Every field named "password" (at any
// depth) becomes "***" (or "" when empty), and a CA certificate is reduced to its
// size. Works on raw, unvalidated input too, so a rejected configuration can be
// logged. Never log a configuration without it.

export function redact(config: unknown): unknown {
  return walk(config, "", 0);
}

function walk(v: unknown, name: string, depth: number): unknown {
  if (name === "password") return typeof v === "string" && v === "" ? "" : "***";
  if (name === "cacert" && typeof v === "string") return v === "" ? "" : "<" + v.length + " bytes>";
  if (v === null || typeof v !== "object" || depth > 8) return v;
  if (v instanceof Array) {
    const a: unknown[] = [];
    for (const x of v) a.push(walk(x, "", depth + 1));
    return a;
  }
  const o = v as { [name: string]: unknown };
  const out: { [name: string]: unknown } = {};
  for (const k in o) {
    if (Object.prototype.hasOwnProperty.call(o, k)) out[k] = walk(o[k], k, depth + 1);
  }
  return out;
}

/** One-line JSON of the redacted configuration, for a log line. */
export function redactedText(config: unknown): string {
  return JSON.stringify(redact(config));
}
