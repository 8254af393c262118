// The simulated board's power, as the runner plays it: the flash (a Store that outlives
// every run of the core) and one `BoardLife` per power-on. A life hands the core its
// Uart, Clock and Store; when the power is cut (a scenario's `powerCut` fault), the life
// dies at once: whatever the core still does in the same instant reaches nothing (its
// writes to the UART and the Store are dropped, its timers never fire), as on a board
// whose supply has gone. The runner then starts a new core on the same flash.
import type { Clock, Store, TimerHandle, Uart, UartSink } from "../../firmware/platform/types.js";
import { MemoryStore } from "./node-firmware.js";

/** The board's persistent Store; counts writes (a power cut can strike after the N-th). */
export class Flash extends MemoryStore {
  writes = 0;
  /** Told after every write that took effect, with the running count. */
  onWrite: ((n: number) => void) | null = null;

  override write(key: string, value: Uint8Array): void {
    super.write(key, value);
    this.writes++;
    if (this.onWrite) this.onWrite(this.writes);
  }
}

const NOTHING: UartSink = { onBytes: () => undefined, onWritable: () => undefined };

export class BoardLife {
  alive = true;
  readonly uart: Uart;
  readonly clock: Clock;
  readonly store: Store;
  private timers = new Set<TimerHandle>();

  constructor(
    private link: Uart,
    private hostClock: Clock,
    flash: Store,
  ) {
    const life = this;
    this.uart = {
      attach: (sink) => {
        if (life.alive) link.attach(sink);
      },
      write: (data, start, end) => (life.alive ? link.write(data, start, end) : 0),
      close: () => {
        if (life.alive) link.close();
      },
    };
    this.clock = {
      now: () => hostClock.now(),
      setTimer: (ms, fire) => {
        if (!life.alive) return null;
        const h: TimerHandle = hostClock.setTimer(ms, () => {
          life.timers.delete(h);
          if (life.alive) return fire();
        });
        life.timers.add(h);
        return h;
      },
      clearTimer: (h) => {
        if (h === null || h === undefined) return;
        life.timers.delete(h);
        hostClock.clearTimer(h);
      },
    };
    this.store = {
      read: (key) => flash.read(key),
      write: (key, value) => {
        if (life.alive) flash.write(key, value);
      },
      remove: (key) => {
        if (life.alive) flash.remove(key);
      },
      keys: () => flash.keys(),
    };
  }

  /** The power is gone: nothing of this life reaches the world any more. */
  cut(): void {
    if (!this.alive) return;
    this.alive = false;
    for (const h of this.timers) this.hostClock.clearTimer(h);
    this.timers.clear();
    this.link.attach(NOTHING); // bytes still arriving from the module fall on a dead board
  }
}
