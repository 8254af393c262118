// The command queue: a bounded FIFO (ring) of requests and their done callbacks waiting
// behind the command in flight. Preallocated; nothing is allocated per command.
import type { AtDone, AtRequest } from "./types.js";

export class CommandQueue {
  private readonly reqs: (AtRequest | null)[];
  private readonly dones: (AtDone | null)[];
  private readonly cap: number;
  private head: number;
  count: number;
  /** What the last shift() took out. */
  req: AtRequest | null;
  done: AtDone | null;

  constructor(capacity: number) {
    this.cap = capacity;
    this.reqs = [];
    this.dones = [];
    for (let i = 0; i < capacity; i++) {
      this.reqs.push(null);
      this.dones.push(null);
    }
    this.head = 0;
    this.count = 0;
    this.req = null;
    this.done = null;
  }

  /** Append; false when full. */
  push(req: AtRequest, done: AtDone): boolean {
    if (this.count >= this.cap) return false;
    const i = (this.head + this.count) % this.cap;
    this.reqs[i] = req;
    this.dones[i] = done;
    this.count++;
    return true;
  }

  /** Take the oldest into `req`/`done`; false when empty. */
  shift(): boolean {
    if (this.count === 0) return false;
    const i = this.head;
    this.req = this.reqs[i];
    this.done = this.dones[i];
    this.reqs[i] = null;
    this.dones[i] = null;
    this.head = (i + 1) % this.cap;
    this.count--;
    return true;
  }
}
