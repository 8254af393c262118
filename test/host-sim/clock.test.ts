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

describe("VirtualClock holds with a limit", () => {
  it("moves up to the limit while the I/O runs, and no further until it ends", async () => {
    const clock = new VirtualClock();
    const seen: [string, number][] = [];
    clock.setTimer(400, () => seen.push(["inside", clock.now()]));
    clock.setTimer(1500, () => seen.push(["at limit", clock.now()]));
    clock.setTimer(1501, () => seen.push(["past", clock.now()]));
    const release = clock.hold(1500);
    let seenAtRelease: string[] = [];
    setTimeout(() => {
      seenAtRelease = seen.map((s) => s[0]);
      release();
    }, 30);
    await clock.run({});
    expect(seenAtRelease).toEqual(["inside", "at limit"]);
    expect(seen).toEqual([["inside", 400], ["at limit", 1500], ["past", 1501]]);
  });

  it("the smallest limit of several holds wins; run does not end while one is out", async () => {
    const clock = new VirtualClock();
    const r1 = clock.hold(1000);
    clock.setTimer(200, () => undefined);
    const r2 = clock.hold(100);
    let at = -1;
    setTimeout(() => {
      at = clock.now();
      r2();
      setTimeout(r1, 10);
    }, 20);
    expect(await clock.run({ forMs: 50 })).toBe("elapsed");
    expect(at).toBe(0);
    expect(clock.holds()).toBe(0);
    expect(clock.now()).toBe(50);
  });

  it("keeps thousands of timers in order, cleared ones never fire", () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const handles = [];
    let x = 7;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const at = x % 10_000;
      handles.push({ at, i, h: clock.setTimer(at, () => fired.push(i)) });
    }
    for (let i = 0; i < 5000; i += 3) clock.clearTimer(handles[i].h);
    expect(clock.pendingTimers()).toBe(5000 - Math.ceil(5000 / 3));
    clock.advance(10_000);
    const want = handles.filter((h) => h.i % 3 !== 0).sort((a, b) => a.at - b.at || a.i - b.i).map((h) => h.i);
    expect(fired).toEqual(want);
    expect(clock.pendingTimers()).toBe(0);
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
