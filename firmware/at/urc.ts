// The URC registry: prefix -> handlers, bounded. Entries live in flat typed arrays that
// the engine's receive loop reads directly (see AtEngine.rx): a line finds its candidates
// with one table lookup keyed by its first three bytes, taken from the line's first
// 32-bit word, and confirms each with a masked compare of that word and, for longer
// prefixes, one more word per 4 bytes. Prefixes shorter than three bytes cannot be keyed
// that way: while any is registered, lines take the slow path, dispatch(), which keeps
// the classic order (prefixes shorter than two bytes first, then registration order).
import type { Line, UrcHandler, UrcTarget } from "./types.js";
import { midMatch, PFX_CR, PFX_LF } from "./prefix.js";
import type { WordPrefix } from "./prefix.js";
import { codeAt } from "../text/code-at.js";

/** Hand `line` to `h`, a function or a UrcTarget (for ports other than the engine: its registry holds targets only). */
export function callUrc(h: UrcHandler, line: Line): void {
  if (typeof h === "function") h(line);
  else h.urc(line);
}

/** Most handlers one engine accepts. */
export const MAX_URC_HANDLERS = 32;

/** End of a list. */
export const NIL = -1;

/** Length given to a prefix that can never start a line (it holds a line end). */
export const NEVER = 0x3fffffff;

/** f0 offset for "fields start unknown": line start + this stays negative. */
export const NO_FIELDS = -0x40000000;

/** One of the prefix and the text starts the other. */
function related(p: Uint8Array, t: string): boolean {
  const tn = t.length; // read once, chars through codeAt: text/code-at.ts
  const n = p.length < tn ? p.length : tn;
  for (let i = 0; i < n; i++) if (p[i] !== codeAt.call(t, i)) return false;
  return true;
}

/** Whoever dispatches: dispatch stops once `closed` is true. */
export interface UrcGate {
  readonly closed: boolean;
}

/** Bucket of a line (or a prefix of 3 bytes or more) from its first word: bytes 0..2 only. */
export function keyOf(w: number): number {
  return ((w >> 8) ^ (w >> 15)) & 0xff;
}

/** `a` begins with all of `b`. */
function startsWith(a: Uint8Array, b: Uint8Array): boolean {
  if (b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class UrcRegistry {
  readonly prefixes: WordPrefix[];
  /** Each entry's handler as a UrcTarget (a function is held in a { urc } of its own). */
  readonly handlers: UrcTarget[];
  /**
   * What the receive loop calls for an entry that starts a line: its handler, or, for an
   * entry with later related ones (rel), a target that calls it and then those (chained()):
   * the loop then needs no rel check per line.
   */
  readonly inline: UrcTarget[];
  /** Prefix length in bytes (NEVER when it cannot start a line). */
  readonly len: Int32Array;
  /** Masked first word and its mask, the last word (offset len-4). */
  readonly w0: Int32Array;
  readonly mask: Int32Array;
  readonly wl: Int32Array;
  /** The words between (prefixes longer than 8 bytes), else null. */
  readonly mid: Array<Int32Array | null>;
  readonly wm: Int32Array;
  /** The prefix's fieldsAt (where a line's fields begin after it, or -1). */
  readonly fa: Int32Array;
  /** fa as an offset for view.f0: fa, or NO_FIELDS when -1. */
  readonly f0: Int32Array;
  /**
   * 1 when an entry registered later in the same bucket can match a line this entry
   * matches (one prefix starts the other), so dispatch must look further; else 0.
   */
  readonly rel: Uint8Array;
  /** Next entry in the same bucket (registration order), or NIL. */
  readonly next: Int16Array;
  /** First entry per bucket (prefixes of 3 bytes or more). */
  readonly head: Int16Array;
  private readonly tail: Int16Array;
  /** Prefixes shorter than three bytes registered: every line takes dispatch(). */
  anyShort: boolean;
  private count: number;
  private readonly lfEndsLine: boolean;
  /** The engine's receive buffer (what inline handlers' later matches are read from) and its closed flag. */
  private readonly dv: DataView;
  private readonly gate: UrcGate;

  constructor(lfEndsLine: boolean, dv: DataView, gate: UrcGate) {
    this.prefixes = [];
    this.handlers = [];
    this.inline = [];
    this.dv = dv;
    this.gate = gate;
    this.mid = [];
    this.len = new Int32Array(MAX_URC_HANDLERS);
    this.w0 = new Int32Array(MAX_URC_HANDLERS);
    this.mask = new Int32Array(MAX_URC_HANDLERS);
    this.wl = new Int32Array(MAX_URC_HANDLERS);
    this.wm = new Int32Array(MAX_URC_HANDLERS);
    this.fa = new Int32Array(MAX_URC_HANDLERS);
    this.f0 = new Int32Array(MAX_URC_HANDLERS);
    this.rel = new Uint8Array(MAX_URC_HANDLERS);
    this.next = new Int16Array(MAX_URC_HANDLERS);
    this.head = new Int16Array(256);
    this.tail = new Int16Array(256);
    this.head.fill(NIL);
    this.tail.fill(NIL);
    this.anyShort = false;
    this.count = 0;
    this.lfEndsLine = lfEndsLine;
  }

  size(): number {
    return this.count;
  }

  /** Register; throws when the table is full (a configuration error, found at start-up). */
  add(prefix: WordPrefix, handler: UrcHandler): void {
    if (this.count >= MAX_URC_HANDLERS) throw new Error("too many URC handlers");
    const id = this.count++;
    this.prefixes.push(prefix);
    // One call form for the receive loop (a method call): no test per line of which it is.
    const target = typeof handler === "function" ? { urc: handler } : handler;
    this.handlers.push(target);
    this.inline.push(target);
    this.mid.push(prefix.mid);
    const p = prefix.bytes;
    const n = p.length;
    const never = (prefix.ends & PFX_CR) !== 0 || ((prefix.ends & PFX_LF) !== 0 && this.lfEndsLine);
    this.len[id] = never ? NEVER : n;
    this.mask[id] = prefix.mask;
    this.w0[id] = prefix.w0;
    this.wl[id] = prefix.wl;
    this.wm[id] = prefix.mid !== null ? prefix.mid[0] : 0;
    this.fa[id] = prefix.fieldsAt;
    this.f0[id] = prefix.fieldsAt >= 0 ? prefix.fieldsAt : NO_FIELDS;
    this.next[id] = NIL;
    if (never) return; // matches nothing: not in any bucket
    if (n < 3 || related(p, "+CME ERROR:") || related(p, "+CMS ERROR:")) {
      // Not keyed by three bytes, or could start a final result the fast path must not
      // take for a URC: every line takes the slow path while it is registered.
      this.anyShort = true;
      return;
    }
    const k = keyOf(prefix.w0);
    for (let j = this.head[k]; j !== NIL; j = this.next[j]) {
      if ((startsWith(this.prefixes[j].bytes, p) || startsWith(p, this.prefixes[j].bytes)) && this.rel[j] === 0) {
        this.rel[j] = 1;
        this.inline[j] = this.chained(j);
      }
    }
    if (this.tail[k] === NIL) this.head[k] = id;
    else this.next[this.tail[k]] = id;
    this.tail[k] = id;
  }

  /**
   * Entry `id`'s handler, then the handlers after it in its bucket whose prefixes start the
   * line too, stopping once the gate closes (made once, at registration). The loop is here,
   * not in a method of its own: a further frame would deepen every such handler's stack.
   */
  private chained(id: number): UrcTarget {
    const handler = this.handlers[id];
    const call = (line: Line) => {
      handler.urc(line);
      const dv = this.dv;
      const start = line.start;
      const w = dv.getInt32(start);
      for (let j = this.next[id]; j !== NIL; j = this.next[j]) {
        if (this.matches(j, dv, start, line.length, w)) {
          if (this.gate.closed) return;
          this.handlers[j].urc(line);
        }
      }
    };
    return { urc: call };
  }

  /** Entry `id` starts the line at `start` of `length` bytes (w: the line's first word). */
  matches(id: number, dv: DataView, start: number, length: number, w: number): boolean {
    const n = this.len[id];
    if (n > length || (w & this.mask[id]) !== this.w0[id]) return false;
    if (n <= 4) return true;
    return dv.getInt32(start + n - 4) === this.wl[id] && (n <= 8 || midMatch(dv, start, this.mid[id]));
  }

  /** The first entry of the line's bucket whose prefix starts the line, or NIL (all prefixes keyed: !anyShort). */
  firstInBucket(dv: DataView, start: number, length: number, w: number): number {
    let id = this.head[keyOf(w)];
    while (id !== NIL && !this.matches(id, dv, start, length, w)) id = this.next[id];
    return id;
  }

  /** The first entry (registration order) whose prefix starts the line, or NIL. */
  first(dv: DataView, start: number, length: number, w: number): number {
    for (let id = 0; id < this.count; id++) if (this.matches(id, dv, start, length, w)) return id;
    return NIL;
  }

  /**
   * Call every handler whose prefix starts the line, in the classic order: prefixes
   * shorter than two bytes first, then the rest in registration order. Returns how
   * many were called; stops as soon as `gate.closed` becomes true (a handler closed
   * the engine). The slow path: rx() dispatches the common case itself.
   */
  dispatch(dv: DataView, start: number, length: number, w: number, line: Line, gate: UrcGate): number {
    let called = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let id = 0; id < this.count; id++) {
        const short = this.len[id] < 2;
        if ((pass === 0) === short && this.matches(id, dv, start, length, w)) {
          if (gate.closed) return called;
          this.handlers[id].urc(line);
          called++;
        }
      }
    }
    return called;
  }
}
