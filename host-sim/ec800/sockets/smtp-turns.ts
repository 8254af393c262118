// Which server bytes answer which client bytes, for SMTP over a module socket. The model
// needs it for one thing only: to know when the real server owes a reply, so the virtual
// clock waits for it (and prices it with the radio round trip) instead of running ahead of
// real I/O, and when nothing is owed, so the clock runs on. It never changes a byte.
//
// Client side: every command line outside DATA owes one reply (AUTH continuation lines
// included); after a DATA line the bytes are message content up to CRLF.CRLF, which owes
// one reply. Server side: a reply ends with a line "NNN " or "NNN" (a "NNN-" line goes on).
// A reply other than 354 to DATA means the client stays in command mode. The greeting is
// owed once the connection is up (expectGreeting). PIPELINING needs nothing more: the
// replies come in the order of the commands. BDAT and STARTTLS are not modelled (a module
// socket cannot start TLS in the middle of a stream).

type Owed = "greeting" | "command" | "data" | "message";

const CR = 13;
const LF = 10;
const DOT = 46;

/** Upper-case ASCII of the first bytes of a line, enough to see "DATA". */
function verb(line: number[]): string {
  let s = "";
  for (let i = 0; i < line.length && i < 5; i++) s += String.fromCharCode(line[i]).toUpperCase();
  return s;
}

export class SmtpTurns {
  /** Replies owed, oldest first. */
  private owed: Owed[] = [];
  /** Client in message content (after DATA). */
  private inData = false;
  /** Message content bytes since DATA (for "peer closes mid-DATA"). */
  private dataBytes = 0;
  /** Match state of CRLF.CRLF inside the content: 0 none, 1 CR, 2 CRLF, 3 CRLF., 4 CRLF.CR */
  private endState = 0;
  private clientLine: number[] = [];
  private serverLine: number[] = [];

  /** Replies the server owes now. */
  get pending(): number {
    return this.owed.length;
  }

  /** Bytes of message content the client sent since its DATA command (0 outside DATA). */
  get contentBytes(): number {
    return this.inData ? this.dataBytes : 0;
  }

  expectGreeting(): void {
    this.owed.push("greeting");
  }

  /**
   * Client bytes on their way to the server. Returns how many replies they made owed, and,
   * for each byte offset, whether it was message content (`contentAt(i)` style callers use
   * `onContent`): onContent is called with the content byte count after each content byte.
   */
  client(bytes: Uint8Array, onContent?: (count: number) => boolean): { owed: number; consumed: number } {
    let owed = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.inData) {
        this.dataBytes++;
        if (onContent && onContent(this.dataBytes)) return { owed, consumed: i + 1 };
        this.endState =
          b === CR ? (this.endState === 3 ? 4 : 1) : b === LF && this.endState === 1 ? 2 : b === DOT && this.endState === 2 ? 3 : b === LF && this.endState === 4 ? 5 : 0;
        if (this.endState === 5) {
          this.inData = false;
          this.dataBytes = 0;
          this.endState = 0;
          this.owed.push("message");
          owed++;
        }
        continue;
      }
      if (b !== LF) {
        if (b !== CR && this.clientLine.length < 16) this.clientLine.push(b);
        continue;
      }
      const isData = verb(this.clientLine) === "DATA" && (this.clientLine.length === 4 || this.clientLine[4] === 32);
      this.clientLine = [];
      this.owed.push(isData ? "data" : "command");
      owed++;
      if (isData) {
        // Content starts right after the DATA line; its CRLF counts as the one before a lone ".".
        this.inData = true;
        this.dataBytes = 0;
        this.endState = 2;
      }
    }
    return { owed, consumed: bytes.length };
  }

  /**
   * Server bytes: returns the offsets just past each complete reply (ascending), so a caller
   * can tell which bytes answer which exchange. Bytes after the last boundary belong to a
   * reply still coming (or, with nothing owed, to nobody).
   */
  server(bytes: Uint8Array): number[] {
    const ends: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b !== LF) {
        if (b !== CR && this.serverLine.length < 4) this.serverLine.push(b);
        continue;
      }
      const line = this.serverLine;
      this.serverLine = [];
      const final = line.length >= 3 && (line.length === 3 || line[3] === 32);
      if (!final) continue;
      const code = String.fromCharCode(line[0], line[1], line[2]);
      const what = this.owed.shift();
      if (what === "data" && code !== "354") this.inData = false;
      ends.push(i + 1);
    }
    return ends;
  }
}
