// XS bridge: the firmware's Clock. now() is the virtual time the host sent with the
// delivery being handled. Timers live on the host's VirtualClock: setTimer picks a slot
// in a fixed table, tells the host (id, ms) and returns the id; the host delivers
// OP_TIMER with the id when its timer fires. The id carries the slot (low 6 bits) and a
// serial number, so the fire of a timer that was cleared (or of a reused slot) is ignored.
import type { Clock, TimerHandle } from "../../../../firmware/platform/types.js";
import type { XsChannel } from "./protocol.js";

/** Timers armed at once (the core uses a handful). */
export const TIMER_SLOTS = 64;

export class XsClock implements Clock {
  private channel: XsChannel;
  private fires: Array<(() => void) | null>;
  private ids: number[];
  private serial: number;
  /** Timers armed now (for leak checks). */
  armed: number;

  constructor(channel: XsChannel) {
    this.channel = channel;
    this.fires = [];
    this.ids = [];
    for (let i = 0; i < TIMER_SLOTS; i++) {
      this.fires.push(null);
      this.ids.push(-1);
    }
    this.serial = 0;
    this.armed = 0;
  }

  now(): number {
    return this.channel.now;
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    let slot = -1;
    for (let i = 0; i < TIMER_SLOTS; i++) {
      if (this.fires[i] === null) {
        slot = i;
        break;
      }
    }
    if (slot < 0) throw new Error("xs-bridge: more than " + TIMER_SLOTS + " timers armed");
    this.serial = (this.serial + 1) % 0x4000000;
    const id = this.serial * TIMER_SLOTS + slot;
    this.fires[slot] = fire;
    this.ids[slot] = id;
    this.armed++;
    this.channel.setTimer(id, ms);
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    if (typeof handle !== "number") return;
    const slot = handle % TIMER_SLOTS;
    if (this.ids[slot] !== handle || this.fires[slot] === null) return;
    this.fires[slot] = null;
    this.ids[slot] = -1;
    this.armed--;
    this.channel.clearTimer(handle);
  }

  /** The host's timer `id` fired. A stale id (cleared, or already fired) does nothing. */
  fire(id: number): void {
    const slot = id % TIMER_SLOTS;
    const fire = this.fires[slot];
    if (this.ids[slot] !== id || fire === null) return;
    this.fires[slot] = null;
    this.ids[slot] = -1;
    this.armed--;
    fire();
  }
}
