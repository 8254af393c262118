// Test doubles for the alarm layer: an in-memory Store, a Store that loses power
// after N operations, a scriptable OutboxMailer that records what "the world" (the
// SMTP server) received, and a digital input driven by the test.
import type { Clock, Input, Store } from "../../firmware/platform/types.js";
import type { OutboxMail, OutboxMailer, OutboxOutcome, OutboxRadio } from "../../firmware/alarm/types.js";
import { KIND_NETWORK, KIND_PERMANENT, KIND_RETRYABLE } from "../../firmware/errors.js";

export class MemStore implements Store {
  data: { [key: string]: Uint8Array } = {};
  read(key: string): Uint8Array | undefined {
    const v = this.data[key];
    return v === undefined ? undefined : v.slice();
  }
  write(key: string, value: Uint8Array): void {
    if (key.length > 15) throw new Error("key longer than 15: " + key);
    if (value.length > 4000) throw new Error("value longer than 4000 bytes: " + key);
    this.data[key] = value.slice();
  }
  remove(key: string): void {
    delete this.data[key];
  }
  keys(): string[] {
    return Object.keys(this.data);
  }
  bytes(): number {
    let n = 0;
    for (const k of this.keys()) n += this.data[k].length;
    return n;
  }
}

/**
 * A Store whose power fails right after its `budget`-th write/remove: from then on
 * writes and removes are silently lost (the CPU is off; nothing it does afterwards
 * reaches flash or the world), and `onCut` runs once at that moment (the test kills
 * the mailer too). Budget 0 cuts before the first operation.
 */
export class CutStore implements Store {
  ops = 0;
  cut = false;
  private onCutFn: () => void = () => {};
  constructor(private inner: Store, private budget: number) {}
  set onCut(fn: () => void) {
    this.onCutFn = fn;
    if (this.budget <= 0 && !this.cut) {
      this.cut = true;
      fn();
    }
  }
  private after(): void {
    this.ops++;
    if (this.ops >= this.budget) {
      this.cut = true;
      this.onCutFn();
    }
  }
  read(key: string): Uint8Array | undefined {
    return this.inner.read(key);
  }
  write(key: string, value: Uint8Array): void {
    if (this.cut) return;
    this.inner.write(key, value);
    this.after();
  }
  remove(key: string): void {
    if (this.cut) return;
    this.inner.remove(key);
    this.after();
  }
  keys(): string[] {
    return this.inner.keys();
  }
}

/** What the SMTP side received, shared across "reboots" of the board. */
export class World {
  /** Every send the mailer started while powered (the module may have delivered it). */
  started: { id: number; subject: string; at: number }[] = [];
  delivered: OutboxMail[] = [];
  deliveredAt: number[] = [];
}

export type Decide = (mail: OutboxMail, attempt: number) => "deliver" | "retry" | "later" | "permanent" | "silent";

/** The outcomes a Decide stands for, as the full core's mailer reports them (with cause texts). */
export const OUTCOMES: { [what: string]: OutboxOutcome } = {
  deliver: { delivered: true, code: 0, proto: 0, kind: 0 },
  permanent: { delivered: false, code: 675, proto: 550, kind: KIND_PERMANENT, cause: "SMTP 550 mailbox unavailable" },
  later: { delivered: false, code: 667, proto: 450, kind: KIND_RETRYABLE, cause: "SMTP 450: try again later" },
  retry: { delivered: false, code: 654, proto: 0, kind: KIND_NETWORK, cause: "network error" },
};

/** An OutboxMailer the test scripts: `decide` says how each attempt ends, after `delayMs`. */
export class FakeMailer implements OutboxMailer {
  alive = true;
  idles = 0;
  radioCalls = 0;
  sends = 0;
  busy = false;
  overlapped = false;
  attempts: { [id: number]: number } = {};
  radioState: OutboxRadio = { csq: 20, stat: 1, clock: "" };
  /** Pending late answer (for "silent" then answer tests). */
  held: ((o: OutboxOutcome) => void) | null = null;

  constructor(
    private clock: Clock,
    private world: World,
    public decide: Decide,
    private delayMs: number,
  ) {}

  ready(): boolean {
    return !this.busy;
  }

  radio(done: (r: OutboxRadio) => void): void {
    if (!this.alive) return;
    this.radioCalls++;
    done(Object.assign({}, this.radioState));
  }

  send(mail: OutboxMail, done: (o: OutboxOutcome) => void): number {
    if (!this.alive) return 0;
    if (this.busy) this.overlapped = true;
    this.busy = true;
    this.sends++;
    const n = (this.attempts[mail.id] = (this.attempts[mail.id] || 0) + 1);
    this.world.started.push({ id: mail.id, subject: mail.subject, at: this.clock.now() });
    const what = this.decide(mail, n);
    if (what === "deliver") {
      this.world.delivered.push(mail);
      this.world.deliveredAt.push(this.clock.now());
    }
    const answer = () => {
      if (!this.alive) return;
      this.busy = false;
      done(OUTCOMES[what]);
    };
    if (what === "silent") {
      this.held = (o: OutboxOutcome) => {
        this.busy = false;
        if (o.delivered) {
          this.world.delivered.push(mail);
          this.world.deliveredAt.push(this.clock.now());
        }
        done(o);
      };
      return 0;
    }
    if (this.delayMs > 0) this.clock.setTimer(this.delayMs, answer);
    else answer();
    return 0;
  }

  idle(): void {
    if (this.alive) this.idles++;
  }
}

export class FakeInput implements Input {
  level: number;
  private cb: ((level: number) => void) | null = null;
  constructor(level: number) {
    this.level = level;
  }
  watch(onEdge: (level: number) => void): void {
    this.cb = onEdge;
  }
  read(): number {
    return this.level;
  }
  set(level: number): void {
    if (level === this.level) return;
    this.level = level;
    if (this.cb) this.cb(level);
  }
  close(): void {
    this.cb = null;
  }
}

export const deliverAll: Decide = () => "deliver";

/** "(x12)" in a subject -> 12; 1 without. */
export function countOf(subject: string): number {
  const i = subject.indexOf("(x");
  if (i < 0) return 1;
  return parseInt(subject.substring(i + 2), 10);
}
