// Live UART trace for `cellmail modem --pty --trace`, with credentials redacted like the
// transcript recorder does: bytes are collected per direction into lines (ending at CR
// or LF), the AT+QSMTPCFG="account" and AT+QICSGP passwords are replaced by ***, and a
// password seen once is masked everywhere after (e.g. in the module's echo). A partial
// line is printed after a pause, unless it is an unfinished credential-bearing command.
import { escapeBytes } from "../transcript/format.js";

const PATTERNS: RegExp[] = [
  /(QSMTPCFG[=:] ?"account", ?"[^"]*", ?")([^"]*)(")/gi,
  /(QICSGP=\d+, ?\d+, ?"[^"]*", ?"[^"]*", ?")([^"]*)(")/gi,
  /(\+QICSGP: \d+,"[^"]*","[^"]*",")([^"]*)(")/gi,
];
const GUARD = /QSMTPCFG|QICSGP/i;

type Dir = ">" | "<";

export class TraceRedactor {
  private pending: Record<Dir, { t: number; text: string; since: number } | null> = { ">": null, "<": null };
  private secrets: string[] = [];
  private timer: NodeJS.Timeout;

  constructor(
    private readonly print: (line: string) => void,
    private readonly idleMs = 50,
  ) {
    this.timer = setInterval(() => this.flushIdle(), idleMs);
    this.timer.unref();
  }

  bytes(dir: Dir, t: number, data: Uint8Array): void {
    const text = Buffer.from(data).toString("latin1");
    for (let i = 0; i < text.length; i++) {
      const p = this.pending[dir] ?? (this.pending[dir] = { t, text: "", since: Date.now() });
      p.text += text[i];
      p.since = Date.now();
      if (text[i] === "\r" || text[i] === "\n") this.flush(dir);
    }
  }

  note(t: number, text: string): void {
    this.print(`${t.toFixed(3).padStart(12)} ! ${this.mask(text)}`);
  }

  private flushIdle(): void {
    const now = Date.now();
    for (const dir of [">", "<"] as Dir[]) {
      const p = this.pending[dir];
      if (p && now - p.since >= this.idleMs && !(GUARD.test(p.text) && p.text.length < 1024)) this.flush(dir);
    }
  }

  private flush(dir: Dir): void {
    const p = this.pending[dir];
    if (!p) return;
    this.pending[dir] = null;
    if (p.text === "\n" || p.text === "\r") return; // the other half of a CR LF pair
    let text = p.text;
    for (const re of PATTERNS) {
      text = text.replace(re, (_m, a: string, secret: string, c: string) => {
        if (secret.length >= 3 && !this.secrets.includes(secret)) this.secrets.push(secret);
        return a + "***" + c;
      });
    }
    this.print(`${p.t.toFixed(3).padStart(12)} ${dir} ${escapeBytes(Buffer.from(this.mask(text), "latin1"))}`);
  }

  private mask(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("***");
    return out;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(">");
    this.flush("<");
  }
}
