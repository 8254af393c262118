// The fixed modem-traffic corpus of the benchmark: exactly 2,000 lines (about 30 KB) of
// what an EC800 says on its UART while a mailer runs, each line framed `\r\n<text>\r\n`
// as the module frames it. Generated from a fixed seed, so every run (and every engine)
// sees the same bytes.

/** One step of the module's output: the lines it prints together. */
const BLOCKS: ReadonlyArray<{ weight: number; lines: readonly string[] }> = [
  { weight: 20, lines: ["+CSQ: 23,99", "OK"] }, //             reply to AT+CSQ
  { weight: 20, lines: ["+CEREG: 1"] }, //                     registration URC
  { weight: 30, lines: ['+QIACT: 1,1,1,"10.7.157.1"', "OK"] }, // reply to AT+QIACT?
  { weight: 24, lines: ["+QSMTPPUT: 0,0"] }, //                send-result URC
  { weight: 3, lines: ["OK"] }, //                            bare final result
  { weight: 12, lines: ["+CME ERROR: 653"] }, //                DNS failure
  { weight: 2, lines: ["RDY"] }, //                            module (re)boot
  { weight: 2, lines: ["+CSQ: 31,99", "OK"] },
];

export const CORPUS_LINES = 2000;
export const CHUNK_SIZE = 64;
const SEED = 0x2f6b1d3;

export interface Corpus {
  /** The bytes, `\r\n<line>\r\n` per line. */
  bytes: Uint8Array;
  /** Number of non-empty lines. */
  lines: number;
  /** How often each line text occurs. */
  histogram: Record<string, number>;
}

/** The benchmark corpus (deterministic). */
export function buildCorpus(lineCount: number = CORPUS_LINES): Corpus {
  let state = SEED >>> 0;
  const next = (): number => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const total = BLOCKS.reduce((s, b) => s + b.weight, 0);
  const out: string[] = [];
  const histogram: Record<string, number> = {};
  while (out.length < lineCount) {
    let r = next() % total;
    let block = BLOCKS[0];
    for (const b of BLOCKS) {
      if (r < b.weight) {
        block = b;
        break;
      }
      r -= b.weight;
    }
    if (out.length + block.lines.length > lineCount) continue;
    for (const line of block.lines) {
      out.push(line);
      histogram[line] = (histogram[line] ?? 0) + 1;
    }
  }
  const text = out.map((l) => `\r\n${l}\r\n`).join("");
  return { bytes: new Uint8Array(Buffer.from(text, "latin1")), lines: out.length, histogram };
}

/** The corpus cut into `size`-byte chunks (the last may be shorter). */
export function chunkCorpus(bytes: Uint8Array, size: number = CHUNK_SIZE): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, Math.min(at + size, bytes.length)));
  return chunks;
}
