// The xsnap-worker driver (host-sim/xs/worker.ts): a real XS machine in a child process.
import { afterEach, describe, expect, it } from "vitest";
import { XsWorker, xsnapWorkerPath } from "../../host-sim/xs/worker.js";

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");

describe("XsWorker (xsnap-worker 0.15.0)", () => {
  let w: XsWorker | null = null;
  afterEach(async () => {
    await w?.close();
    w = null;
  });

  it("finds the release binary built by @agoric/xsnap", () => {
    expect(xsnapWorkerPath()).toMatch(/xsnap-native\/xsnap\/build\/bin\/lin\/release\/xsnap-worker$/);
  });

  it("evaluates scripts and reports meters", async () => {
    w = await XsWorker.start();
    const r = await w.evaluate("var total = 0; for (var i = 0; i < 100; i++) total += i; total");
    expect(r.meter.compute).toBeGreaterThan(100);
    expect(r.meter.currentHeapCount).toBeGreaterThan(1000);
    expect(r.meter.allocate).toBeGreaterThan(0);
    expect(Array.isArray(r.meter.timestamps)).toBe(true);
    // A completion value that is an ArrayBuffer comes back as bytes.
    const b = await w.evaluate("new Uint8Array([total & 255, total >> 8]).buffer");
    expect([...b.result]).toEqual([4950 & 255, 4950 >> 8]);
  });

  it("the metered compute of a delivery is deterministic", async () => {
    w = await XsWorker.start();
    await w.evaluate("function work(n) { var s = ''; for (var i = 0; i < n; i++) s += i; return s.length; }");
    const a = await w.evaluate("work(500)");
    const b = await w.evaluate("work(500)");
    expect(a.meter.compute).toBe(b.meter.compute);
  });

  it("has the worker globals and none of the browser/Node ones", async () => {
    const out: string[] = [];
    w = await XsWorker.start({ onOutput: (t, s) => s === "stdout" && out.push(t) });
    await w.evaluate("print([typeof print, typeof gc, typeof issueCommand, typeof setTimeout, typeof console].join(','))");
    // stdout is a separate pipe from the reply: wait for it (bounded), do not sleep a fixed time.
    for (let i = 0; i < 200 && !out.join("").includes("\n"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(out.join("")).toContain("function,function,function,undefined,undefined");
  });

  it("round-trips handleCommand and issueCommand", async () => {
    w = await XsWorker.start();
    const issued: string[] = [];
    w.onIssue((bytes) => {
      issued.push(text(bytes));
      return `answer-to-${text(bytes)}`;
    });
    await w.evaluate(`
      globalThis.handleCommand = function (ab) {
        var got = new Uint8Array(ab);
        var reply = new Uint8Array(issueCommand(ab));
        var out = new Uint8Array(got.length + 1 + reply.length);
        out.set(got, 0);
        out[got.length] = 0x7c; // '|'
        out.set(reply, got.length + 1);
        return out.buffer;
      };
    `);
    const r = await w.command("ping");
    expect(text(r.reply)).toBe("ping|answer-to-ping");
    expect(issued).toEqual(["ping"]);
    expect(r.meter.compute).toBeGreaterThan(0);
    // Several in a row, queued without awaiting each.
    const all = await Promise.all(["a", "b", "c"].map((s) => w!.command(s)));
    expect(all.map((x) => text(x.reply))).toEqual(["a|answer-to-a", "b|answer-to-b", "c|answer-to-c"]);
  });

  it("an async issue handler and a reply object with .result", async () => {
    w = await XsWorker.start();
    w.onIssue(async (bytes) => {
      await new Promise((r) => setTimeout(r, 5));
      return new Uint8Array([bytes.length]);
    });
    await w.evaluate("globalThis.handleCommand = function (ab) { return { result: issueCommand(ab) }; };");
    const r = await w.command(new Uint8Array([1, 2, 3]));
    expect([...r.reply]).toEqual([3]);
  });

  it("gc() shows live slots: garbage is collected, kept objects are not", async () => {
    w = await XsWorker.start();
    const base = (await w.evaluate("gc()")).meter.currentHeapCount;
    const garbage = await w.evaluate("for (var i = 0; i < 1000; i++) ({ a: i, b: i });");
    expect(garbage.meter.currentHeapCount - base).toBeGreaterThan(1000);
    const afterGc = (await w.evaluate("gc()")).meter.currentHeapCount;
    expect(Math.abs(afterGc - base)).toBeLessThan(50);
    await w.evaluate("globalThis.kept = []; for (var j = 0; j < 1000; j++) kept.push({ a: j });");
    const kept = (await w.evaluate("gc()")).meter.currentHeapCount;
    expect(kept - afterGc).toBeGreaterThan(1000);
  });

  it("reports an uncaught exception and stays usable", async () => {
    w = await XsWorker.start();
    await expect(w.evaluate("throw new TypeError('boom')")).rejects.toThrow(/TypeError: boom/);
    const r = await w.evaluate("new Uint8Array([7]).buffer");
    expect([...r.result]).toEqual([7]);
  });

  it("a metering limit ends a runaway delivery", async () => {
    w = await XsWorker.start({ meteringLimit: 10_000 });
    await expect(w.evaluate("for (;;) {}")).rejects.toThrow(/too much computation/);
    await expect(w.evaluate("1")).rejects.toThrow();
  });

  it("close() ends the process", async () => {
    w = await XsWorker.start();
    await w.evaluate("1");
    await w.close();
    await expect(w.evaluate("1")).rejects.toThrow(/closed|exited/);
    w = null;
  });
});
