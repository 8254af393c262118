// The URC registry: prefix -> handlers, bounded. A line finds its candidates with one
// table lookup keyed by its first two bytes (prefixes shorter than two bytes sit on a
// short list that every line checks), then a word-wise comparison per candidate.
import type { Line, Prefix, UrcHandler } from "./types.js";
import { prefixAt } from "./prefix.js";

/** Most handlers one engine accepts. */
export const MAX_URC_HANDLERS = 32;

const NIL = -1;

/** Whoever dispatches: dispatch stops once `closed` is true. */
export interface UrcGate {
  readonly closed: boolean;
}

function keyOf(b0: number, b1: number): number {
  return (b0 * 31 + b1) & 0xff;
}

export class UrcRegistry {
  private readonly prefixes: Prefix[];
  private readonly handlers: UrcHandler[];
  /** Next entry in the same bucket (registration order), or NIL. */
  private readonly next: Int16Array;
  private readonly head: Int16Array;
  private readonly tail: Int16Array;
  private shortHead: number;
  private shortTail: number;
  private count: number;

  constructor() {
    this.prefixes = [];
    this.handlers = [];
    this.next = new Int16Array(MAX_URC_HANDLERS);
    this.head = new Int16Array(256);
    this.tail = new Int16Array(256);
    this.head.fill(NIL);
    this.tail.fill(NIL);
    this.shortHead = NIL;
    this.shortTail = NIL;
    this.count = 0;
  }

  size(): number {
    return this.count;
  }

  /** Register; throws when the table is full (a configuration error, found at start-up). */
  add(prefix: Prefix, handler: UrcHandler): void {
    if (this.count >= MAX_URC_HANDLERS) throw new Error("too many URC handlers");
    const id = this.count++;
    this.prefixes.push(prefix);
    this.handlers.push(handler);
    this.next[id] = NIL;
    const p = prefix.bytes;
    if (p.length < 2) {
      if (this.shortTail === NIL) this.shortHead = id;
      else this.next[this.shortTail] = id;
      this.shortTail = id;
      return;
    }
    const k = keyOf(p[0], p[1]);
    if (this.tail[k] === NIL) this.head[k] = id;
    else this.next[this.tail[k]] = id;
    this.tail[k] = id;
  }

  /**
   * Call every handler whose prefix starts the line; returns how many were called.
   * buf[start..start+length) is the line, `line` its view, `dv` a DataView of buf. Stops as soon as `gate.closed` becomes true (a
   * handler closed the engine).
   */
  dispatch(dv: DataView, buf: Uint8Array, start: number, length: number, line: Line, gate: UrcGate): number {
    let called = 0;
    let id = this.shortHead;
    while (id !== NIL) {
      if (prefixAt(dv, buf, start, length, this.prefixes[id])) {
        if (gate.closed) return called;
        this.handlers[id](line);
        called++;
      }
      id = this.next[id];
    }
    if (length >= 2) {
      id = this.head[(buf[start] * 31 + buf[start + 1]) & 0xff];
      while (id !== NIL) {
        if (prefixAt(dv, buf, start, length, this.prefixes[id])) {
          if (gate.closed) return called;
          this.handlers[id](line);
          called++;
        }
        id = this.next[id];
      }
    }
    return called;
  }
}
