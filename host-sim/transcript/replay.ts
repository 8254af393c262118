// Replay: play the module's side of a recorded transcript to a firmware, so that a log
// from the field can be reproduced on the host. Attach it to a UartLink in place of the
// Ec800 model.
//   mode "time":  every "<" record is sent at its recorded time (relative to start()).
//   mode "input": "<" records are grouped by how many command lines (CR bytes) the
//                 firmware had sent before them in the recording; a group starts when
//                 the firmware under test has sent that many CRs, and keeps the
//                 recorded delays relative to that CR. This tolerates a firmware that
//                 is faster or slower than the recorded one.
// What the firmware sends is recorded in `received` for comparison with the ">" records.
//
// Echoes: the recording redacts credentials in the module's echo of a command too
// (AT+QSMTPCFG="account" password, AT+QICSGP password), and a firmware that compares
// echoes with what it sent would take "***" for a damaged command. A module record with
// a redacted credential gets the one the firmware under test sent in that command; it is
// held until the firmware has finished the command line that carries it.
import type { VirtualClock } from "../clock.js";
import type { UartLink } from "../uart/link.js";
import type { Transcript } from "./format.js";
import { REDACTED, REDACTIONS } from "./recorder.js";

interface Group {
  /** Recorded time of the anchor (the CR that opens the group, or 0). */
  anchorT: number;
  records: { t: number; bytes: Uint8Array }[];
}

export class TranscriptReplayer {
  readonly received: { t: number; bytes: Uint8Array }[] = [];
  private groups: Group[] = [];
  private crSeen = 0;
  private started = false;
  private startAt = 0;
  private lastPlayAt = 0;
  /** The firmware's command line being received (since its last CR), latin1. */
  private line = "";
  /** The last credential the firmware sent, per REDACTIONS pattern. */
  private secrets: (string | undefined)[] = [];
  /** Module records held until the firmware's current line is complete (see above). */
  private held: Uint8Array[] = [];
  played = 0;

  constructor(
    private clock: VirtualClock,
    private link: UartLink,
    transcript: Transcript,
    private mode: "time" | "input" = "input",
  ) {
    link.attachModule((bytes) => this.onInput(bytes));
    let cr = 0;
    this.groups.push({ anchorT: 0, records: [] });
    for (const r of transcript.records) {
      if (r.dir === ">" && r.bytes) {
        for (const b of r.bytes) {
          if (b === 13) {
            cr++;
            this.groups[cr] = { anchorT: r.t, records: [] };
          }
        }
      } else if (r.dir === "<" && r.bytes) {
        this.groups[cr].records.push({ t: r.t, bytes: r.bytes });
      }
    }
  }

  get total(): number {
    return this.groups.reduce((n, g) => n + (g ? g.records.length : 0), 0);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.startAt = this.clock.now();
    if (this.mode === "time") {
      for (const g of this.groups) if (g) for (const r of g.records) this.clock.setTimer(r.t, () => this.play(r.bytes));
    } else {
      this.playGroup(0, this.startAt);
    }
  }

  private playGroup(k: number, anchorNow: number): void {
    const g = this.groups[k];
    if (!g) return;
    for (const r of g.records) {
      const at = Math.max(anchorNow + (r.t - (k === 0 ? 0 : g.anchorT)), this.lastPlayAt);
      this.lastPlayAt = at;
      this.clock.setTimer(at - this.clock.now(), () => this.play(r.bytes));
    }
  }

  private play(bytes: Uint8Array): void {
    if (this.held.length > 0 || (this.line !== "" && Buffer.from(bytes).toString("latin1").includes(REDACTED))) {
      this.held.push(bytes);
      return;
    }
    this.send(bytes);
  }

  private send(bytes: Uint8Array): void {
    this.played++;
    this.link.moduleSend(this.restore(bytes));
  }

  /** Put the firmware's own credentials back where the recording redacted them. */
  private restore(bytes: Uint8Array): Uint8Array {
    let text = Buffer.from(bytes).toString("latin1");
    if (!text.includes(REDACTED)) return bytes;
    REDACTIONS.forEach((re, i) => {
      const secret = this.secrets[i];
      if (secret === undefined) return;
      text = text.replace(re, (m: string, a: string, s: string, c: string) => (s === REDACTED ? a + secret + c : m));
    });
    return Buffer.from(text, "latin1");
  }

  /** A command line of the firmware is complete: learn its credentials, release held records. */
  private lineDone(): void {
    const line = this.line;
    this.line = "";
    REDACTIONS.forEach((re, i) => {
      line.replace(re, (m: string, _a: string, s: string) => {
        this.secrets[i] = s;
        return m;
      });
    });
    const held = this.held;
    this.held = [];
    for (const b of held) this.send(b);
  }

  private onInput(bytes: Uint8Array): void {
    const now = this.clock.now();
    this.received.push({ t: now - this.startAt, bytes: bytes.slice() });
    for (const b of bytes) {
      this.line += String.fromCharCode(b);
      if (b !== 13) continue;
      this.lineDone();
      if (this.mode !== "input") continue;
      this.crSeen++;
      this.playGroup(this.crSeen, now);
    }
  }
}
