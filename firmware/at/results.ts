// The final-result and prompt token table. A line is classified from its first byte
// with one table lookup, then compared against at most one token. Tokens are encoded
// to bytes once, when the table is constructed.

export const TOKEN_NONE = 0;
export const TOKEN_OK = 1;
export const TOKEN_ERROR = 2;
export const TOKEN_CME = 3; // "+CME ERROR:"
export const TOKEN_CMS = 4; // "+CMS ERROR:"
export const TOKEN_NO_CARRIER = 5;
export const TOKEN_CONNECT = 6; // prompt: data mode follows

function encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export class ResultTable {
  /** First byte -> token id (0: not a final result or prompt). '+' maps to TOKEN_CME. */
  private readonly byFirst: Uint8Array;
  /** Token id -> encoded token. */
  private readonly tokens: Uint8Array[];
  /** Token id -> 1 when the line must equal the token exactly, 0 when it is a prefix. */
  private readonly exact: Uint8Array;

  constructor() {
    this.tokens = [
      new Uint8Array(0),
      encode("OK"),
      encode("ERROR"),
      encode("+CME ERROR:"),
      encode("+CMS ERROR:"),
      encode("NO CARRIER"),
      encode("CONNECT"),
    ];
    this.exact = new Uint8Array(7);
    this.exact[TOKEN_OK] = 1;
    this.exact[TOKEN_ERROR] = 1;
    this.exact[TOKEN_NO_CARRIER] = 1;
    this.byFirst = new Uint8Array(256);
    this.byFirst[0x4f] = TOKEN_OK; // O
    this.byFirst[0x45] = TOKEN_ERROR; // E
    this.byFirst[0x2b] = TOKEN_CME; // + (CME or CMS, told apart by the 4th byte)
    this.byFirst[0x4e] = TOKEN_NO_CARRIER; // N
    this.byFirst[0x43] = TOKEN_CONNECT; // C
  }

  /** Token id of the line buf[start..start+length), or TOKEN_NONE. */
  classify(buf: Uint8Array, start: number, length: number): number {
    let id = this.byFirst[buf[start]];
    if (id === TOKEN_NONE) return TOKEN_NONE;
    if (id === TOKEN_CME && buf[start + 3] === 0x53) id = TOKEN_CMS; // "+CMS"
    const t = this.tokens[id];
    const n = t.length;
    if (length < n) return TOKEN_NONE;
    if (this.exact[id] === 1) {
      // Trailing blanks are tolerated after exact tokens.
      for (let i = n; i < length; i++) if (buf[start + i] !== 0x20) return TOKEN_NONE;
    }
    for (let i = 0; i < n; i++) if (buf[start + i] !== t[i]) return TOKEN_NONE;
    return id;
  }
}
