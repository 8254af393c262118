// Test doubles for the alarm layer: an in-memory Store, a Store that loses power
// after N operations, a scriptable AlarmMailer that records what "the world" (the
// SMTP server) received, and a digital input driven by the test.
import type { Clock, Input, Store } from "../../firmware/platform/types.js";
import type { AlarmMail, AlarmMailer, RadioStatus, SendOutcome } from "../../firmware/alarm/types.js";

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
  delivered: AlarmMail[] = [];
  deliveredAt: number[] = [];
}

export type Decide = (mail: AlarmMail, attempt: number) => "deliver" | "retry" | "later" | "permanent" | "silent";

export class FakeMailer implements AlarmMailer {
  alive = true;
  idles = 0;
  radioCalls = 0;
  sends = 0;
  busy = false;
  overlapped = false;
  attempts: { [id: number]: number } = {};
  radio: RadioStatus = { csq: 20, registered: true, stat: 1 };
  /** Pending late answer (for "silent" then answer tests). */
  held: ((o: SendOutcome) => void) | null = null;

  constructor(
    private clock: Clock,
    private world: World,
    public decide: Decide,
    private delayMs: number,
  ) {}

  radioStatus(done: (status: RadioStatus) => void): void {
    if (!this.alive) return;
    this.radioCalls++;
    const r = this.radio;
    done({ csq: r.csq, registered: r.registered, stat: r.stat });
  }

  send(mail: AlarmMail, done: (outcome: SendOutcome) => void): void {
    if (!this.alive) return;
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
    const outcome: SendOutcome =
      what === "deliver"
        ? { delivered: true, permanent: false, code: 0, cause: "" }
        : what === "permanent"
          ? { delivered: false, permanent: true, code: 675, cause: "SMTP 550 mailbox unavailable" }
          : what === "later"
            ? { delivered: false, permanent: false, later: true, code: 667, cause: "SMTP 450: try again later" }
            : { delivered: false, permanent: false, code: 654, cause: "network error" };
    const answer = () => {
      if (!this.alive) return;
      this.busy = false;
      done(outcome);
    };
    if (what === "silent") {
      this.held = () => {
        this.busy = false;
        done({ delivered: true, permanent: false, code: 0, cause: "" });
      };
      return;
    }
    if (this.delayMs > 0) this.clock.setTimer(this.delayMs, answer);
    else answer();
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
