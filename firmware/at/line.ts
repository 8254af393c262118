// The reusable Line view: one object per engine, re-pointed at each received line.
// Owns the typed getters (int, hex, str, text, startsWith, fieldCount) that read
// straight from the bytes. Nothing here allocates except str() and text(), which a
// caller uses only when it needs a string.
import type { Line, Prefix } from "./types.js";

const QUOTE = 0x22; // "
const COMMA = 0x2c; // ,
const COLON = 0x3a; // :
const SPACE = 0x20;
const MINUS = 0x2d;
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;
const LF = 0x0a;

/**
 * Bytes [start, end) as a Latin-1 string. Built in short chunks so a long line is not
 * re-copied once per character; no String.fromCharCode.apply (Espruino takes at most
 * 256 arguments there). Only str() and text() call this: strings exist on request.
 */
export function bytesToString(buf: Uint8Array, start: number, end: number): string {
  let out = "";
  let chunk = "";
  for (let i = start; i < end; i++) {
    chunk += String.fromCharCode(buf[i]);
    if (chunk.length === 64) {
      out += chunk;
      chunk = "";
    }
  }
  return out + chunk;
}

function hexValue(b: number): number {
  if (b >= ZERO && b <= NINE) return b - ZERO;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10; // a-f
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10; // A-F
  return -1;
}

export class LineView implements Line {
  buf: Uint8Array;
  start: number;
  length: number;
  /**
   * Where field 0 may begin (just after the colon, blanks not yet skipped), when the
   * engine knows it from the matched prefix; -1: look for the colon (fieldsStart).
   * Reset with every line (engine use).
   */
  f0: number;
  /**
   * Field `nIdx` begins at `nAt` (after the comma that ended the field int() read last),
   * so that int(1) after int(0) does not walk field 0 again; nIdx -1: nothing known.
   * Reset with every line (engine use).
   */
  nIdx: number;
  nAt: number;
  /** Scratch bounds of the last located field (quotes and blanks trimmed). */
  private fs: number;
  private fe: number;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.start = 0;
    this.length = 0;
    this.f0 = -1;
    this.nIdx = -1;
    this.nAt = 0;
    this.fs = 0;
    this.fe = 0;
  }

  /** Re-point the view (engine use). */
  set(buf: Uint8Array, start: number, length: number): void {
    this.buf = buf;
    this.start = start;
    this.length = length;
    this.f0 = -1;
    this.nIdx = -1;
  }

  startsWith(prefix: Prefix): boolean {
    const p = prefix.bytes;
    const n = p.length;
    if (n > this.length) return false;
    const buf = this.buf;
    const s = this.start;
    for (let i = 0; i < n; i++) {
      if (buf[s + i] !== p[i]) return false;
    }
    return true;
  }

  /**
   * Where the fields begin: after the first ':' that precedes any quote or comma, blanks
   * skipped. Found with native indexOf, each bounded by a sentinel written for the scan
   * and restored at once (the byte after a line is its CR in the engine's buffer).
   */
  fieldsStart(): number {
    const buf = this.buf;
    const s = this.start;
    const e = s + this.length;
    let f = this.f0;
    if (f >= 0) {
      while (f < e && buf[f] === SPACE) f++;
      return f;
    }
    const saved = buf[e];
    buf[e] = COLON;
    let c = buf.indexOf(COLON, s);
    buf[e] = saved;
    if (c < 0 || c >= e) return s;
    // A quote or comma before the colon: the colon is inside a field ("UFS:a.txt",12).
    buf[c] = QUOTE;
    const q = buf.indexOf(QUOTE, s);
    buf[c] = COMMA;
    const k = buf.indexOf(COMMA, s);
    buf[c] = COLON;
    if (q < c || k < c) return s;
    c++;
    while (c < e && buf[c] === SPACE) c++;
    return c;
  }

  /** Locate field `index`; sets fs/fe to its trimmed, unquoted bounds. False when absent. */
  private locate(index: number): boolean {
    if (index < 0) return false;
    const buf = this.buf;
    // A line's last LF is not in its fields: the CR of its CR LF lost on the UART ("READY\n").
    const end = this.start + this.length - (this.length > 0 && buf[this.start + this.length - 1] === LF ? 1 : 0);
    let i = this.fieldsStart();
    if (i >= end) return false; // nothing after the prefix: no fields
    let field = 0;
    let fieldStart = i;
    let inQuote = false;
    for (;;) {
      if (i >= end || (!inQuote && buf[i] === COMMA)) {
        if (field === index) {
          let s = fieldStart;
          let e = i;
          while (s < e && buf[s] === SPACE) s++;
          while (e > s && buf[e - 1] === SPACE) e--;
          if (e - s >= 2 && buf[s] === QUOTE && buf[e - 1] === QUOTE) {
            s++;
            e--;
          } else if (e - s >= 1 && buf[s] === QUOTE) {
            s++; // unterminated quote: take the rest
          }
          this.fs = s;
          this.fe = e;
          return true;
        }
        if (i >= end) return false;
        field++;
        fieldStart = i + 1;
      } else if (buf[i] === QUOTE) {
        inQuote = !inQuote;
      }
      i++;
    }
  }

  /**
   * Fast path: a plain unsigned number (blanks around it allowed) in a field whose
   * start the engine knows (field 0 after a matched prefix: f0; or the field after the
   * one int() read last: nIdx/nAt). Only the engine sets f0, and only in its own view,
   * whose lines are always followed by their line end (CR, or an LF that ended the
   * line), so the digit loop needs no bounds check. Anything else (sign, quotes,
   * garbage, an unknown start) takes intSlow, which gives the same answers the long way.
   */
  int(index: number, fallback: number): number {
    let i = index === 0 ? this.f0 : index === this.nIdx ? this.nAt : -1;
    if (i < 0) return this.intSlow(index, fallback);
    const buf = this.buf;
    let d = buf[i];
    while (d === SPACE) d = buf[++i];
    let v = d - 0x30;
    if (v >>> 0 > 9) return this.intSlow(index, fallback);
    // Digits as d - 0x30 from here on: a blank is -16, a comma -4, CR -35.
    while ((d = buf[++i] - 0x30) >>> 0 <= 9) v = v * 10 + d;
    if (d === -4) {
      // a comma: the next field starts after it
      this.nIdx = index + 1;
      this.nAt = i + 1;
      return v;
    }
    if (d === -35) return v; // the line end (a CR is never inside a line)
    while (d === -16) d = buf[++i] - 0x30; // blanks after the number
    if (d === -4) {
      this.nIdx = index + 1;
      this.nAt = i + 1;
      return v;
    }
    // The line end: a CR, or the end position (an LF may be inside a line), or an LF that
    // ends the line (its CR lost: locate() leaves it out of the last field too).
    return d === -35 || i === this.start + this.length || (d === -38 && i + 1 === this.start + this.length) ? v : this.intSlow(index, fallback);
  }

  private intSlow(index: number, fallback: number): number {
    if (!this.locate(index)) return fallback;
    const buf = this.buf;
    let s = this.fs;
    const e = this.fe;
    let sign = 1;
    if (s < e && (buf[s] === MINUS || buf[s] === PLUS)) {
      if (buf[s] === MINUS) sign = -1;
      s++;
    }
    if (s >= e) return fallback;
    let v = 0;
    for (let i = s; i < e; i++) {
      const b = buf[i];
      if (b < ZERO || b > NINE) return fallback;
      v = v * 10 + (b - ZERO);
    }
    return sign * v;
  }

  hex(index: number, fallback: number): number {
    if (!this.locate(index)) return fallback;
    const buf = this.buf;
    const s = this.fs;
    const e = this.fe;
    if (s >= e) return fallback;
    let v = 0;
    for (let i = s; i < e; i++) {
      const d = hexValue(buf[i]);
      if (d < 0) return fallback;
      v = v * 16 + d;
    }
    return v;
  }

  str(index: number): string {
    if (!this.locate(index)) return "";
    return bytesToString(this.buf, this.fs, this.fe);
  }

  text(): string {
    return bytesToString(this.buf, this.start, this.start + this.length);
  }

  /** The text from the fields' start to the end of the line (e.g. a +CME ERROR text). Allocates. */
  rest(): string {
    let e = this.start + this.length;
    const s = this.fieldsStart();
    while (e > s && this.buf[e - 1] === SPACE) e--;
    return bytesToString(this.buf, s, e);
  }

  fieldCount(): number {
    const buf = this.buf;
    const end = this.start + this.length;
    const s = this.fieldsStart();
    if (s >= end) return 0;
    let n = 1;
    let inQuote = false;
    for (let i = s; i < end; i++) {
      const b = buf[i];
      if (b === QUOTE) inQuote = !inQuote;
      else if (b === COMMA && !inQuote) n++;
    }
    return n;
  }
}
