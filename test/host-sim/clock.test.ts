import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";

describe("VirtualClock", () => {
  it("fires timers in time order, ties in the order they were set", () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimer(20, () => seen.push("b"));
    clock.setTimer(10, () => seen.push("a"));
    clock.setTimer(20, () => seen.push("c"));
    clock.advance(15);
    expect(seen).toEqual(["a"]);
    expect(clock.now()).toBe(15);
    clock.advance(5);
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("a cleared timer never fires", () => {
    const clock = new VirtualClock();
    let fired = false;
    const h = clock.setTimer(5, () => (fired = true));
    clock.clearTimer(h);
    clock.clearTimer(h);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("run jumps over idle time but not over real I/O", async () => {
    const clock = new VirtualClock();
    let late = false;
    clock.setTimer(300_000, () => (late = true));
    const release = clock.hold();
    let ioDoneAt = -1;
    setTimeout(() => {
      ioDoneAt = clock.now();
      release();
    }, 20);
    await clock.run({ until: () => late });
    expect(ioDoneAt).toBe(0);
    expect(clock.now()).toBe(300_000);
  });

  it("advance refuses to run while real I/O is pending", () => {
    const clock = new VirtualClock();
    clock.hold();
    expect(() => clock.advance(1)).toThrow(/pending/);
  });

  it("run stops at forMs when timers lie beyond it", async () => {
    const clock = new VirtualClock();
    clock.setTimer(1000, () => undefined);
    expect(await clock.run({ forMs: 400 })).toBe("elapsed");
    expect(clock.now()).toBe(400);
    expect(await clock.run({})).toBe("idle");
    expect(clock.now()).toBe(1000);
  });
});

describe("VirtualClock with asynchronous timers", () => {
  it("run awaits a timer's promise before firing the next one due at the same time", async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimer(10, () => new Promise<void>((resolve) => setTimeout(() => { seen.push("slow"); resolve(); }, 10)));
    clock.setTimer(10, () => { seen.push("next"); });
    await clock.run({});
    expect(seen).toEqual(["slow", "next"]);
  });

  it("advance refuses an asynchronous timer", () => {
    const clock = new VirtualClock();
    clock.setTimer(1, () => Promise.resolve());
    expect(() => clock.advance(5)).toThrow(/asynchronous/);
  });
});
