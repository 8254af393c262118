// The Node adapters that need no hardware: the file-backed Store and the real-time Clock.
// (SerialPortUart needs a port; it is exercised against a real module, see docs/targets.md.)
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NodeClock } from "../../firmware/platform/node/clock.js";
import { FileStore } from "../../firmware/platform/node/store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("FileStore", () => {
  it("round-trips values, survives a reopen, and leaves no temporary files", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellmail-store-"));
    dirs.push(dir);
    const store = new FileStore(join(dir, "state"));
    store.write("outbox", new Uint8Array([1, 2, 0xff]));
    store.write("outbox", new Uint8Array([3, 4]));
    store.write("empty", new Uint8Array(0));
    const again = new FileStore(join(dir, "state"));
    expect([...again.read("outbox")!]).toEqual([3, 4]);
    expect(again.read("empty")!.length).toBe(0);
    expect(again.read("nothing")).toBeUndefined();
    expect(again.keys()).toEqual(["empty", "outbox"]);
    expect(readdirSync(join(dir, "state")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    again.remove("outbox");
    again.remove("outbox");
    expect(again.keys()).toEqual(["empty"]);
  });

  it("keeps keys inside its directory whatever they contain", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellmail-store-"));
    dirs.push(dir);
    const store = new FileStore(join(dir, "s"));
    for (const key of ["../escape", "a/b", "..", "ünï", "x.tmp"]) store.write(key, new Uint8Array([1]));
    expect(existsSync(join(dir, "escape.bin"))).toBe(false);
    expect(store.keys().sort()).toEqual(["..", "../escape", "a/b", "x.tmp", "ünï"].sort());
    expect(() => store.write("", new Uint8Array(1))).toThrow(RangeError);
  });
});

describe("NodeClock", () => {
  it("fires one-shot timers on real time and cancels them", async () => {
    const clock = new NodeClock();
    const t0 = clock.now();
    let fired = 0;
    const cancelled = clock.setTimer(5, () => (fired += 100));
    await new Promise<void>((resolve) => clock.setTimer(20, () => resolve()));
    clock.clearTimer(cancelled); // after it fired: harmless
    const h = clock.setTimer(5, () => (fired += 1));
    clock.clearTimer(h);
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(100);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(19);
  });
});
