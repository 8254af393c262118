// Records both directions of a UartLink (at the module's edge) and the simulator's
// notes as transcript records. Bytes are grouped into readable records: a module record
// is one write of the module (a whole response, an echo slice, a URC), a firmware
// record ends after CR; a record also ends after 256 bytes or (firmware) a silence of
// 20 ms, except while it holds an AT+QSMTPCFG line (so a credential is never
// split across records). Credentials are redacted when a record is closed: the
// AT+QSMTPCFG="account" password (command, echo, and the query's answer) and the
// AT+QICSGP password; any password seen is also masked wherever else it appears.
import type { UartLink } from "../uart/link.js";
import { renderTranscript, type Dir, type Transcript, type TranscriptRecord } from "./format.js";

/** Credential patterns: group 2 is the secret (exported for the replayer, which puts it back). */
export const REDACTIONS: RegExp[] = [
  /(QSMTPCFG[=:] ?"account", ?"[^"]*", ?")([^"]*)(")/gi,
  /(QICSGP=\d+, ?\d+, ?"[^"]*", ?"[^"]*", ?")([^"]*)(")/gi,
  /(\+QICSGP: \d+,"[^"]*","[^"]*",")([^"]*)(")/gi,
];

export const REDACTED = "***";

interface Pending {
  t: number;
  last: number;
  bytes: number[];
}

export class TranscriptRecorder {
  readonly header: Record<string, string> = {};
  private records: TranscriptRecord[] = [];
  private pending: Record<">" | "<", Pending | null> = { ">": null, "<": null };
  private secrets = new Set<string>();

  constructor(link?: UartLink) {
    if (link) this.attach(link);
  }

  attach(link: UartLink): void {
    link.onTap((dir, t, bytes) => this.bytes(dir === "toModule" ? ">" : "<", t, bytes));
    link.onNote((t, text) => this.note(t, text));
  }

  /** Mask this text wherever it appears (e.g. a password known from elsewhere). */
  addSecret(secret: string): void {
    if (secret.length >= 3) this.secrets.add(secret);
  }

  note(t: number, text: string): void {
    this.records.push({ t, dir: "!", text: this.mask(text) });
  }

  bytes(dir: ">" | "<", t: number, data: Uint8Array): void {
    const end = 13;
    for (const b of data) {
      let p = this.pending[dir];
      // The module writes a whole response at once: a new write time starts a new record.
      const gap = p !== null && (dir === "<" ? t > p.last : t - p.last >= 20);
      if (p && gap && !this.guarded(p)) {
        this.close(dir);
        p = null;
      }
      if (!p) p = this.pending[dir] = { t, last: t, bytes: [] };
      p.bytes.push(b);
      p.last = t;
      if ((dir === ">" && b === end) || (p.bytes.length >= 256 && !this.guarded(p))) this.close(dir);
    }
  }

  private guarded(p: Pending): boolean {
    // Only an unfinished line holding a credential-bearing command keeps the record open.
    const text = Buffer.from(p.bytes).toString("latin1");
    const tail = text.slice(Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r")) + 1);
    return p.bytes.length < 1024 && /QSMTPCFG|QICSGP/i.test(tail);
  }

  private close(dir: ">" | "<"): void {
    const p = this.pending[dir];
    if (!p) return;
    this.pending[dir] = null;
    let text = Buffer.from(p.bytes).toString("latin1");
    for (const re of REDACTIONS) {
      text = text.replace(re, (_m, a: string, secret: string, c: string) => {
        this.addSecret(secret);
        return a + REDACTED + c;
      });
    }
    this.records.push({ t: p.t, dir: dir as Dir, bytes: Buffer.from(text, "latin1") });
  }

  private mask(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out;
  }

  /** All records so far (pending ones closed), in time order, redacted. */
  snapshot(): Transcript {
    this.close(">");
    this.close("<");
    const records = this.records
      .map((r, i) => ({ r, i }))
      .sort((a, b) => a.r.t - b.r.t || a.i - b.i)
      .map(({ r }) =>
        r.bytes ? { ...r, bytes: Buffer.from(this.mask(Buffer.from(r.bytes).toString("latin1")), "latin1") } : { ...r, text: this.mask(r.text ?? "") },
      );
    return { header: { ...this.header }, records };
  }

  /** The transcript as text. */
  render(): string {
    return renderTranscript(this.snapshot());
  }
}
