// Property tests (fast-check): random bytes and random interleavings of URCs with a
// command's reply never throw, never grow the engine past its configured buffers, never
// leak timers, and a clean command afterwards still succeeds.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RESULT_OK, SHAPE_LINES } from "../../firmware/at/types.js";
import type { AtEngine } from "../../firmware/at/engine.js";
import { rig, send } from "./support/harness.js";
import type { Rig } from "./support/harness.js";
import type { Chunking } from "./support/modem.js";

const LINE_BUFFER = 96;

function internals(e: AtEngine): { buf: Uint8Array } {
  // The engine's receive buffer (it frames lines itself; see rx() in engine.ts).
  return { buf: (e as unknown as { rbuf: Uint8Array }).rbuf };
}

const chunkingArb: fc.Arbitrary<Chunking> = fc.oneof(
  fc.constant<Chunking>({ kind: "all" }),
  fc.constant<Chunking>({ kind: "bytes" }),
  fc.integer({ min: 1, max: 40 }).map((at): Chunking => ({ kind: "split", at })),
  fc.integer({ min: 1, max: 1e6 }).map((seed): Chunking => ({ kind: "random", seed, max: 16 })),
);

const tokenBytes = ["\r", "\n", "\r\n", "OK", "ERROR", "+CME ERROR: ", "CONNECT", "A", "AT", "+CSQ: ", "RDY", "\x00", ",", '"', "9"].map((s) =>
  Array.from(s, (ch) => ch.charCodeAt(0)),
);

const junkArb = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }).map((b) => [b]), fc.constantFrom(...tokenBytes)), { maxLength: 300 })
  .map((parts) => new Uint8Array(parts.flat()));

function cleanCommandWorks(r: Rig): void {
  r.modem.script({ cmd: "AT+CLEAN", reply: "\r\nOK\r\n" });
  const c = send(r, { command: "+CLEAN", timeoutMs: 500 });
  r.clock.advance(2000);
  expect(c.result?.code).toBe(RESULT_OK);
}

describe("engine properties", () => {
  it("random bytes, with or without a command in flight: no throw, bounded, then a clean command succeeds", () => {
    fc.assert(
      fc.property(junkArb, chunkingArb, fc.boolean(), fc.boolean(), (junk, chunking, echo, inFlight) => {
        const r = rig(echo, chunking, { lineBufferSize: LINE_BUFFER, settleMs: 20 });
        const buf = internals(r.engine).buf;
        const seen: string[] = [];
        r.engine.onUrc(r.engine.prefix("+CSQ:"), (l) => seen.push(l.text()));
        r.engine.onUrc(r.engine.prefix("RDY"), () => seen.push("RDY"));
        if (inFlight) {
          r.modem.script({ cmd: "AT+BUSY" }); // never answered by the script
          send(r, { command: "+BUSY", timeoutMs: 300 });
        }
        r.modem.inject(junk, 5);
        r.clock.advance(10);
        expect(r.engine.pendingBytes()).toBeLessThanOrEqual(LINE_BUFFER);
        expect(internals(r.engine).buf).toBe(buf);
        r.clock.advance(1000); // let any command finish (by junk or by deadline)
        expect(r.engine.busy()).toBe(false);
        // A partial junk line may still be pending: the module's next reply starts with CR LF.
        cleanCommandWorks(r);
        expect(r.clock.pendingTimers()).toBeLessThanOrEqual(1); // only the settle timer may remain
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("random interleavings of URCs with a multi-line reply: every line goes to the right place", () => {
    const urcPool = ['+CEREG: 1', '+QIURC: "pdpdeact",1', "+QIND: \"csq\",20", "RDY", "+CSQ: 31,99", "SRING: 1"];
    fc.assert(
      fc.property(
        fc.array(fc.nat(urcPool.length - 1), { maxLength: 8 }),
        fc.array(fc.nat(5), { maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        chunkingArb,
        fc.boolean(),
        (urcIdx, positions, replyCount, chunking, echo) => {
          const r = rig(echo, chunking, { lineBufferSize: LINE_BUFFER });
          const routed: string[] = [];
          for (const p of ["+CEREG:", "+QIURC:", "+QIND:", "RDY", "+CSQ:"]) {
            r.engine.onUrc(r.engine.prefix(p), (l) => routed.push(l.text()));
          }
          // The reply: replyCount "+QIACT:" lines, then OK; URCs dropped in at random line slots.
          const replyLines: string[] = [];
          for (let i = 0; i < replyCount; i++) replyLines.push(`+QIACT: ${i + 1},1,1,"10.0.0.${i}"`);
          const slots: string[][] = replyLines.map(() => []);
          slots.push([]);
          const urcsSent: string[] = [];
          urcIdx.forEach((u, k) => {
            const slot = (positions[k] ?? 0) % slots.length;
            slots[slot].push(urcPool[u]);
          });
          let stream = "";
          for (let i = 0; i < slots.length; i++) {
            for (const u of slots[i]) {
              stream += `\r\n${u}\r\n`;
              urcsSent.push(u);
            }
            if (i < replyLines.length) stream += `\r\n${replyLines[i]}\r\n`;
          }
          stream += "\r\nOK\r\n";
          r.modem.script({ cmd: "AT+QIACT?", reply: stream });
          const a = send(r, { command: "+QIACT?", shape: SHAPE_LINES, prefix: r.engine.prefix("+QIACT:") });
          r.clock.advance(100);
          expect(a.result?.code).toBe(RESULT_OK);
          expect(a.lines).toEqual(replyLines);
          expect(routed).toEqual(urcsSent.filter((u) => u !== "SRING: 1"));
          expect(r.engine.stats().unknown).toBe(urcsSent.filter((u) => u === "SRING: 1").length);
          cleanCommandWorks(r);
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
