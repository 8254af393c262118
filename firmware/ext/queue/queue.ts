// The optional command queue (extends the at layer: AtEngineOptions.queue): a bounded FIFO
// (ring) of requests and their done callbacks waiting behind the command in flight, for a
// composition whose parts send at the same time (the socket transport closes its socket
// while its last send waits, and the next job's first commands follow: up to three wait in
// the bundled scenarios). Preallocated; nothing is allocated per command. Without it the
// engine holds one waiting command (at/waiting.ts) and refuses a second.
import type { AtDone, AtRequest, AtWaiting } from "../../at/types.js";

/** The queue's default length: commands waiting beyond the one in flight. */
export const QUEUE_LENGTH = 8;

export class CommandQueue implements AtWaiting {
  private readonly reqs: (AtRequest | null)[];
  private readonly dones: (AtDone | null)[];
  readonly capacity: number;
  private head: number;
  count: number;
  /** What the last shift() took out. */
  req: AtRequest | null;
  done: AtDone | null;

  constructor(capacity?: number) {
    this.capacity = capacity === undefined || !(capacity >= 1) ? QUEUE_LENGTH : Math.floor(capacity);
    this.reqs = [];
    this.dones = [];
    for (let i = 0; i < this.capacity; i++) {
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
    if (this.count >= this.capacity) return false;
    const i = (this.head + this.count) % this.capacity;
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
    this.head = (i + 1) % this.capacity;
    this.count--;
    return true;
  }
}

/** A queue of the default length (Modules.queue, CellmailParts.queue). */
export function commandQueue(): AtWaiting {
  return new CommandQueue(QUEUE_LENGTH);
}
