// Command-line parsing on the module side. A line (without its CR) such as
//   AT+QICSGP=1,1,"UNINET","", "",1        or      ATE0V1;+CMEE=2
// becomes a list of sub-commands: name ("" for bare AT, "E", "&F", "+QSMTPCFG"),
// form (exec, read "?", test "=?", write "=...") and arguments. Spaces outside quoted
// strings are ignored, names are case-insensitive, quoted strings keep their case and
// spaces. Returns null when the line is malformed (the module answers ERROR).
export type Form = "exec" | "read" | "test" | "write";

export interface Arg {
  /** The text: unquoted and trimmed, or the contents of the quotes. */
  text: string;
  quoted: boolean;
  /** Nothing between the commas. */
  empty: boolean;
}

export interface SubCommand {
  name: string;
  form: Form;
  args: Arg[];
}

/** Does the line start with an AT prefix (after leading junk such as NUL or spaces)? Returns its index or -1. */
export function findAtPrefix(line: string): number {
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i];
    const t = line[i + 1];
    if ((a === "A" || a === "a") && (t === "T" || t === "t")) return i;
    if (a !== "\0" && a !== " " && a !== "\n" && a !== "\r") return -1;
  }
  return -1;
}

export function parseLine(line: string): SubCommand[] | null {
  const at = findAtPrefix(line);
  if (at < 0) return null;
  let i = at + 2;
  const out: SubCommand[] = [];
  const n = line.length;
  const skipSpaces = () => {
    while (i < n && line[i] === " ") i++;
  };
  skipSpaces();
  if (i >= n) return [{ name: "", form: "exec", args: [] }];
  while (i < n) {
    skipSpaces();
    if (i >= n) break;
    const c = line[i];
    if (c === ";") {
      i++;
      continue;
    }
    if (c === "+" || c === "$") {
      // Extended command: name up to = ? ; or end.
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_&]/.test(line[j])) j++;
      const name = line.slice(i, j).toUpperCase();
      if (name.length < 2) return null;
      i = j;
      skipSpaces();
      if (i >= n || line[i] === ";") {
        out.push({ name, form: "exec", args: [] });
      } else if (line[i] === "?") {
        i++;
        out.push({ name, form: "read", args: [] });
      } else if (line[i] === "=") {
        i++;
        skipSpaces();
        if (line[i] === "?") {
          i++;
          out.push({ name, form: "test", args: [] });
        } else {
          const r = parseArgs(line, i);
          if (!r) return null;
          i = r.end;
          out.push({ name, form: "write", args: r.args });
        }
      } else {
        return null;
      }
      skipSpaces();
      if (i < n && line[i] !== ";") return null;
      continue;
    }
    // Basic command: [&]letter then digits, or S<n>=<v> / S<n>?
    let name = "";
    if (c === "&") {
      if (i + 1 >= n) return null;
      name = "&" + line[i + 1].toUpperCase();
      i += 2;
    } else if (/[A-Za-z]/.test(c)) {
      name = c.toUpperCase();
      i++;
    } else {
      return null;
    }
    if (name === "S") {
      let j = i;
      while (j < n && /[0-9]/.test(line[j])) j++;
      name = "S" + line.slice(i, j);
      i = j;
      if (line[i] === "?") {
        i++;
        out.push({ name, form: "read", args: [] });
      } else if (line[i] === "=") {
        let k = i + 1;
        while (k < n && /[0-9]/.test(line[k])) k++;
        out.push({ name, form: "write", args: [arg(line.slice(i + 1, k), false)] });
        i = k;
      } else return null;
      continue;
    }
    let j = i;
    while (j < n && /[0-9]/.test(line[j])) j++;
    const digits = line.slice(i, j);
    i = j;
    out.push({ name, form: digits === "" ? "exec" : "write", args: digits === "" ? [] : [arg(digits, false)] });
  }
  return out;
}

function arg(text: string, quoted: boolean): Arg {
  return { text, quoted, empty: !quoted && text === "" };
}

/** Parse comma-separated arguments from `start` up to an unquoted ';' or the end. */
function parseArgs(line: string, start: number): { args: Arg[]; end: number } | null {
  const args: Arg[] = [];
  let i = start;
  const n = line.length;
  for (;;) {
    while (i < n && line[i] === " ") i++;
    if (i < n && line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return null;
      args.push(arg(line.slice(i + 1, close), true));
      i = close + 1;
      while (i < n && line[i] === " ") i++;
    } else {
      let j = i;
      while (j < n && line[j] !== "," && line[j] !== ";") j++;
      const text = line.slice(i, j).replace(/ /g, "");
      if (text.includes('"')) return null;
      args.push(arg(text, false));
      i = j;
    }
    if (i >= n || line[i] === ";") return { args, end: i };
    if (line[i] !== ",") return null;
    i++;
  }
}

/** A decimal integer argument in [lo, hi], or null. */
export function intArg(a: Arg | undefined, lo: number, hi: number): number | null {
  if (!a || a.quoted || !/^[0-9]+$/.test(a.text)) return null;
  const v = Number(a.text);
  return v >= lo && v <= hi ? v : null;
}

/** A quoted string argument of at most `max` bytes, or null. */
export function strArg(a: Arg | undefined, max: number): string | null {
  if (!a || !a.quoted) return null;
  return a.text.length <= max ? a.text : null;
}
