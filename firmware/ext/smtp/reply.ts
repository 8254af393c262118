// SMTP reply reader (RFC 5321 4.2): lines of "ddd-text" continue a reply, "ddd text" (or
// a bare "ddd") ends it. Bytes come in any chunks (AT+QIRD hands over what the module
// holds); each line is gathered in one preallocated buffer (512 bytes: the RFC's reply
// line limit, 4.5.3.1.5); a longer line keeps its first 512 bytes and the rest is
// dropped. Nothing is allocated per byte or per line: the sink reads the line from
// `line` when told, and turns it into a string only for an error message.
//
// A line ends at LF, or at a CR that is not followed by LF (the LF changed on the way).
// A reply whose lines do not all start with the same three digits, or a line without
// them (or with digits no reply code has: RFC 5321 4.2, first 1-5, second 0-5), is
// reported as code -1 (the client's E_SMTP_GARBLED).
import { codeAt } from "../../text/code-at.js";
const MAX_LINE = 512;
const LF = 10;
const CR = 13;

export interface ReplySink {
  /** Line number `n` (0 first) of the reply in progress: its text is line[start..end) (after "ddd-"). */
  onReplyLine(n: number, line: Uint8Array, start: number, end: number): void;
  /** The reply is complete: its code, or -1 when it is not SMTP. */
  onReply(code: number): void;
}

export class ReplyReader {
  /** The line being gathered, then the last complete line (until the next byte arrives). */
  readonly line: Uint8Array;
  /** Bytes of the last complete line in `line` (its CR LF removed). */
  length = 0;
  private fill = 0;
  private code = 0; //      code of the reply in progress, 0 before its first line
  private lines = 0; //     lines of the reply in progress so far
  private bad = false;

  constructor() {
    this.line = new Uint8Array(MAX_LINE);
  }

  /** Forget a reply in progress (a new connection). */
  reset(): void {
    this.fill = 0;
    this.length = 0;
    this.code = 0;
    this.lines = 0;
    this.bad = false;
  }

  /** Bytes from the server; the sink hears of each line and each complete reply. */
  feed(data: Uint8Array, start: number, end: number, sink: ReplySink): void {
    const line = this.line;
    for (let i = start; i < end; i++) {
      const b = data[i];
      if (b !== LF) {
        // A CR followed by anything but LF: the LF was changed on the way (the UART flips bits;
        // SMTP has no bare CR, RFC 5321 2.3.8). The line ends at its CR, as it would have: else
        // the reply waits for an LF that never comes, up to the state's timeout (600 s after
        // the message), and only then is the mail sent again.
        const f = this.fill;
        if (f > 0 && f <= MAX_LINE && line[f - 1] === CR) {
          this.fill = 0;
          this.length = f - 1;
          this.onLine(f - 1, sink);
        }
        if (this.fill < MAX_LINE) line[this.fill] = b;
        this.fill++;
        continue;
      }
      let n = this.fill < MAX_LINE ? this.fill : MAX_LINE;
      if (n > 0 && line[n - 1] === CR) n--;
      this.fill = 0;
      this.length = n;
      this.onLine(n, sink);
    }
  }

  private onLine(n: number, sink: ReplySink): void {
    const line = this.line;
    let code = -1;
    // RFC 5321 4.2: the first digit is 1-5, the second 0-5; anything else (a byte changed on the
    // way: "050") is not a reply, and must not be judged as the server's word.
    if (n >= 3 && line[0] >= 49 && line[0] <= 53 && line[1] >= 48 && line[1] <= 53 && digit(line[2]) && (n === 3 || line[3] === 32 || line[3] === 45)) {
      code = (line[0] - 48) * 100 + (line[1] - 48) * 10 + (line[2] - 48);
    }
    if (code < 0 || (this.lines > 0 && code !== this.code)) this.bad = true;
    if (this.lines === 0) this.code = code;
    const last = code < 0 || n === 3 || line[3] === 32;
    sink.onReplyLine(this.lines, line, n > 4 ? 4 : n, n);
    this.lines++;
    if (!last) return;
    const result = this.bad ? -1 : this.code;
    this.code = 0;
    this.lines = 0;
    this.bad = false;
    sink.onReply(result);
  }
}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True when line[start..end) begins with the word `word` (ASCII letters, any case), then a space, '=' or its end. */
export function startsWithWord(line: Uint8Array, start: number, end: number, word: string): boolean {
  const n = word.length;
  if (end - start < n) return false;
  for (let i = 0; i < n; i++) {
    if ((line[start + i] | 0x20) !== (codeAt.call(word, i) | 0x20)) return false;
  }
  return end - start === n || line[start + n] === 32 || line[start + n] === 61;
}

/** True when the space- or '='-separated words of line[start..end) include `word` (any case). */
export function hasWord(line: Uint8Array, start: number, end: number, word: string): boolean {
  let i = start;
  while (i < end) {
    while (i < end && (line[i] === 32 || line[i] === 61)) i++;
    if (startsWithWord(line, i, end, word)) return true;
    while (i < end && line[i] !== 32 && line[i] !== 61) i++;
  }
  return false;
}
