// The final-result and prompt token table. A line is classified from its first byte
// with one table lookup, then compared against at most one token. Tokens are encoded
// to bytes once, when the table is constructed.

// The final results' tokens are their RESULT_* codes (types.ts) plus one: the engine maps
// one to the other by subtraction (test/at/engine.test.ts checks the correspondence).
export const TOKEN_NONE = 0;
export const TOKEN_OK = 1;
export const TOKEN_ERROR = 2;
export const TOKEN_CME = 3; // "+CME ERROR:"
export const TOKEN_CMS = 4; // "+CMS ERROR:"
export const TOKEN_NO_CARRIER = 5;
export const TOKEN_CONNECT = 6; // prompt: data mode follows
export const TOKEN_SEND_OK = 7; //   "SEND OK": a socket send's payload was taken (only after a promptGt payload)
export const TOKEN_SEND_FAIL = 8; // "SEND FAIL": the module's send buffer was full

function word(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) << 24) | (text.charCodeAt(at + 1) << 16) | (text.charCodeAt(at + 2) << 8) | text.charCodeAt(at + 3)) >>> 0
  );
}

/**
 * Classifies a line as a final result or prompt. The first byte picks the only
 * candidate token (one Uint8Array lookup); one or two 32-bit DataView reads confirm it.
 */
export class ResultTable {
  /** First byte -> candidate token id (0: not a final result or prompt). '+' maps to TOKEN_CME. */
  readonly byFirst: Uint8Array;
  private readonly wERRO: number;
  private readonly wCME: number; // "+CME"
  private readonly wCMS: number; // "+CMS"
  private readonly wERR_: number; // " ERR" at offset 4
  private readonly wROR: number; //  "ROR:" at offset 7
  private readonly wNO_C: number;
  private readonly wARRI: number; // "ARRI" at offset 4 of "NO CARRIER"
  private readonly wRIER: number; // "RIER" at offset 6
  private readonly wCONN: number;
  private readonly wNECT: number; // "NECT" at offset 3
  private readonly wSEND: number;
  private readonly wD_OK: number; // "D OK" at offset 3 of "SEND OK"
  private readonly wFAIL: number; // "FAIL" at offset 5 of "SEND FAIL"

  constructor() {
    this.byFirst = new Uint8Array(256);
    this.byFirst[0x4f] = TOKEN_OK; // O
    this.byFirst[0x45] = TOKEN_ERROR; // E
    this.byFirst[0x2b] = TOKEN_CME; // + (CME or CMS)
    this.byFirst[0x4e] = TOKEN_NO_CARRIER; // N
    this.byFirst[0x43] = TOKEN_CONNECT; // C
    this.byFirst[0x53] = TOKEN_SEND_OK; // S (SEND OK or SEND FAIL)
    this.wERRO = word("ERRO", 0);
    this.wCME = word("+CME", 0);
    this.wCMS = word("+CMS", 0);
    this.wERR_ = word(" ERR", 0);
    this.wROR = word("ROR:", 0);
    this.wNO_C = word("NO C", 0);
    this.wARRI = word("ARRI", 0);
    this.wRIER = word("RIER", 0);
    this.wCONN = word("CONN", 0);
    this.wNECT = word("NECT", 0);
    this.wSEND = word("SEND", 0);
    this.wD_OK = word("D OK", 0);
    this.wFAIL = word("FAIL", 0);
  }

  /**
   * Token id of the line buf[start..start+length), or TOKEN_NONE. `dv` views `buf`.
   * Exact tokens (OK, ERROR, NO CARRIER) tolerate trailing blanks; CME/CMS/CONNECT are prefixes.
   */
  classify(dv: DataView, buf: Uint8Array, start: number, length: number): number {
    const id = this.byFirst[buf[start]];
    if (id === TOKEN_NONE) return TOKEN_NONE;
    if (id === TOKEN_OK) {
      if (length < 2 || buf[start + 1] !== 0x4b) return TOKEN_NONE;
      return length === 2 || blanks(buf, start + 2, start + length) ? TOKEN_OK : TOKEN_NONE;
    }
    if (length < 4) return TOKEN_NONE;
    const w = dv.getUint32(start);
    if (id === TOKEN_CME) {
      if (length < 11 || buf[start + 2] !== 0x4d || dv.getUint32(start + 4) !== this.wERR_ || dv.getUint32(start + 7) !== this.wROR) return TOKEN_NONE;
      if (w === this.wCME) return TOKEN_CME;
      return w === this.wCMS ? TOKEN_CMS : TOKEN_NONE;
    }
    if (id === TOKEN_ERROR) {
      if (length < 5 || w !== this.wERRO || buf[start + 4] !== 0x52) return TOKEN_NONE;
      return length === 5 || blanks(buf, start + 5, start + length) ? TOKEN_ERROR : TOKEN_NONE;
    }
    if (id === TOKEN_NO_CARRIER) {
      if (length < 10 || w !== this.wNO_C || dv.getUint32(start + 4) !== this.wARRI || dv.getUint32(start + 6) !== this.wRIER) {
        return TOKEN_NONE;
      }
      return length === 10 || blanks(buf, start + 10, start + length) ? TOKEN_NO_CARRIER : TOKEN_NONE;
    }
    if (id === TOKEN_SEND_OK) {
      if (w !== this.wSEND || length < 7) return TOKEN_NONE;
      if (dv.getUint32(start + 3) === this.wD_OK) return length === 7 || blanks(buf, start + 7, start + length) ? TOKEN_SEND_OK : TOKEN_NONE;
      if (length < 9 || buf[start + 4] !== 0x20 || dv.getUint32(start + 5) !== this.wFAIL) return TOKEN_NONE;
      return length === 9 || blanks(buf, start + 9, start + length) ? TOKEN_SEND_FAIL : TOKEN_NONE;
    }
    // CONNECT (a prefix: "CONNECT 115200" is CONNECT too)
    if (length < 7 || w !== this.wCONN || dv.getUint32(start + 3) !== this.wNECT) return TOKEN_NONE;
    return TOKEN_CONNECT;
  }
}

function blanks(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0x20) return false;
  return true;
}
