// Pieces of the XS bridge (host-sim/xs/device/platform/) on their own: the base64 decoder
// attachments cross into XS with, and the clock that hands timers to the host by id.
// The whole bridge runs every bundled scenario in test/scenarios/compositions.test.ts.
import { describe, expect, it } from "vitest";
import { base64Decode } from "../../host-sim/xs/device/platform/base64.js";
import { XsClock } from "../../host-sim/xs/device/platform/clock.js";
import type { XsChannel } from "../../host-sim/xs/device/platform/protocol.js";

describe("XS bridge pieces", () => {
  it("base64Decode (attachments cross into XS as base64) matches Buffer for every length and byte value", () => {
    for (let n = 0; n < 300; n++) {
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = (i * 151 + n * 7) & 0xff;
      const b64 = bytes.toString("base64");
      expect(Buffer.from(base64Decode(b64)).equals(bytes)).toBe(true);
      expect(Buffer.from(base64Decode(bytes.toString("base64url"))).equals(bytes)).toBe(true);
    }
    expect(() => base64Decode("ab$c")).toThrow(/bad character/);
    expect(() => base64Decode("abcde")).toThrow(/truncated/);
  });

  it("XsClock: timers go to the host by id; a cleared or already fired timer's id is ignored", () => {
    const sent: string[] = [];
    const channel = {
      now: 12.5,
      setTimer: (id: number, ms: number) => sent.push(`t ${id} ${ms}`),
      clearTimer: (id: number) => sent.push(`c ${id}`),
    } as unknown as XsChannel;
    const clock = new XsClock(channel);
    const fired: string[] = [];
    const a = clock.setTimer(10, () => fired.push("a")) as number;
    const b = clock.setTimer(0.25, () => fired.push("b")) as number;
    expect(clock.now()).toBe(12.5);
    expect(sent).toEqual([`t ${a} 10`, `t ${b} 0.25`]);
    clock.clearTimer(a);
    clock.clearTimer(a); // harmless twice
    expect(sent).toEqual([`t ${a} 10`, `t ${b} 0.25`, `c ${a}`]);
    clock.fire(a); // stale: cleared
    clock.fire(b);
    clock.fire(b); // stale: fired already
    // The slot of `a` is reused with a new id; the old id still does nothing.
    const c = clock.setTimer(5, () => fired.push("c")) as number;
    expect(c % 64).toBe(a % 64);
    expect(c).not.toBe(a);
    clock.fire(a);
    clock.fire(c);
    expect(fired).toEqual(["b", "c"]);
    expect(clock.armed).toBe(0);
  });
});
