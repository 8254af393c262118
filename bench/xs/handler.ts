// The XS side of the bench (and of test/xs): makeHandler(makeEngine) (a full AT engine
// under AtDriver) or makeDriverHandler(makeDriver) (any BenchDriver) returns the
// `handleCommand` that an entry exports (the host installs it as a global after
// evaluating the bundle). Entries: bench/xs/entry.ts (the real engine),
// bench/standin/entry.ts (the stand-in) and bench/xs/compact-entry.ts (the compact
// profile's link). Each delivery is one opcode byte followed by its argument, so that
// measured deliveries run nothing but the work:
//
//   "S" <corpus bytes>   set up: build both drivers and cut the corpus into chunks
//   "H" <u32 count>      grow the slot heap by allocating and dropping `count` objects, then gc()
//   "G"                  gc() and nothing else
//   "E"                  nothing (measures the cost of a delivery itself)
//   "A" <u16 passes>     feed the prepared chunks `passes` times through the driver under test
//   "B" <u16 passes>     the same through the baseline parser
//   "N" <u16 passes>     the same feeding loop into a sink that does nothing (harness cost)
//   "C"                  counters of both drivers as JSON (ASCII bytes)
//
// Measured deliveries return nothing, so the reply allocates nothing.
import { AtDriver, BaselineDriver, type BenchDriver, type EngineFactory } from "./at-driver.js";

declare function gc(): void;


function u16(u: Uint8Array, at: number): number {
  return u[at] | (u[at + 1] << 8);
}

function asciiBuffer(text: string): ArrayBuffer {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0x7f;
  return b.buffer;
}

export type BenchHandler = (message: ArrayBuffer) => ArrayBuffer | undefined;

/** The handler for a full AT engine (AtDriver over `makeEngine`). */
export function makeHandler(makeEngine: EngineFactory, engineName: string): BenchHandler {
  return makeDriverHandler(() => new AtDriver(makeEngine), engineName);
}

/** The handler for any driver under test ("A", "N" and the "at" counters are its). */
export function makeDriverHandler(makeDriver: () => BenchDriver, engineName: string): BenchHandler {
  let at: BenchDriver | null = null;
  let baseline: BaselineDriver | null = null;
  let corpusBytes = 0;
  return function handleCommand(message: ArrayBuffer): ArrayBuffer | undefined {
    const u = new Uint8Array(message);
    const op = u[0];
    if (op === 0x45) return undefined; // E
    if (op === 0x47) {
      // G
      gc();
      return undefined;
    }
    if (op === 0x41) {
      // A
      (at as BenchDriver).feed(u16(u, 1));
      return undefined;
    }
    if (op === 0x4e) {
      // N
      (at as BenchDriver).feedNull(u16(u, 1));
      return undefined;
    }
    if (op === 0x42) {
      // B
      (baseline as BaselineDriver).feed(u16(u, 1));
      return undefined;
    }
    if (op === 0x53) {
      // S
      const corpus = new Uint8Array(u.length - 1);
      for (let i = 1; i < u.length; i++) corpus[i - 1] = u[i];
      corpusBytes = corpus.length;
      at = makeDriver();
      baseline = new BaselineDriver();
      at.load(corpus, 64);
      baseline.load(corpus, 64);
      return undefined;
    }
    if (op === 0x48) {
      // H
      const count = u16(u, 1) + u16(u, 3) * 65536;
      let keep: Array<{ a: number }> | null = [];
      for (let i = 0; i < count; i++) keep.push({ a: i });
      keep = null;
      gc();
      return undefined;
    }
    if (op === 0x43) {
      // C
      const a = at as BenchDriver;
      const b = baseline as BaselineDriver;
      return asciiBuffer(
        JSON.stringify({
          engine: engineName,
          corpusBytes: corpusBytes,
          at: a.counts,
          atStats: a.stats(),
          baseline: b.counts,
          baselineLines: b.parser.lines,
        }),
      );
    }
    throw new Error("unknown bench opcode " + op);
  };
}
