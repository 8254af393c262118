// Module-side faults injected at named points. A FaultPlan holds the scenario's fault
// list; the model asks it at each point whether a fault fires there:
//   command points  - a command line is received (match by name, form, and a substring
//                     of the line), the Nth matching occurrence, for `times` occurrences;
//   URC points      - a URC is about to be sent (match by prefix): lost, damaged, late, doubled, split;
//   data points     - the Nth byte of body data; the Nth AT+QFUPL upload (a corrupted byte);
//   send points     - a +QSMTPPUT transaction starts;
//   socket points   - a socket opens (AT+QIOPEN / AT+QSSLOPEN, counted together): its open
//                     fails, its DNS lookup fails, its server is slow, its peer closes in DATA;
//                     a socket read returns data (AT+QIRD / AT+QSSLRECV, counted together):
//                     one byte of it is lost on the UART;
//   time points     - virtual time since power-on (scheduled by the scenario loader).
// Link-level faults (byte loss, corruption, reader stalls) live in the link options.
export type CommandPoint = {
  /** Canonical command name: "+QSMTPCFG", "E", "" (bare AT). */
  command: string;
  form?: "exec" | "read" | "test" | "write";
  /** Only lines containing this text (case-sensitive), e.g. "\"account\"". */
  match?: string;
  /** 1-based occurrence of a matching line at which the fault starts (default 1). */
  occurrence?: number;
  /** How many consecutive matching occurrences it affects (default 1). */
  times?: number;
};

export type UrcPoint = { urc: string; occurrence?: number; times?: number };

export type FaultSpec =
  | ({ kind: "reboot"; at: "command"; phase?: "before" | "after" } & CommandPoint)
  | { kind: "reboot"; at: "bodyData"; afterBytes: number; occurrence?: number; times?: number }
  | { kind: "reboot"; at: "sendWait"; afterMs: number; occurrence?: number; times?: number }
  | { kind: "reboot"; at: "time"; atMs: number }
  | { kind: "powerDown"; atMs: number }
  | { kind: "pdpActivationFails"; times: number; occurrence?: number }
  | { kind: "pdpDeactDuringSend"; afterMs: number; cid?: number; occurrence?: number; times?: number }
  | { kind: "pdpDeact"; atMs: number; cid?: number }
  | ({ kind: "commandError"; code?: number; plain?: boolean } & CommandPoint)
  | ({ kind: "loseFinal"; what?: "final" | "all" } & CommandPoint)
  | ({ kind: "lateFinal"; delayMs: number } & CommandPoint)
  | ({ kind: "interleaveUrc"; text: string; where: "afterEcho" | "afterInfo" | "beforeFinal" } & CommandPoint)
  | ({ kind: "duplicateUrc"; count?: number } & UrcPoint)
  | ({ kind: "loseUrc" } & UrcPoint)
  /**
   * One byte of the URC's text (`byte`, 0-based; default its last) is lost on its way to the
   * board, as a UART would lose it: "+QSSLOPEN: 1,0" becomes "+QSSLOPEN: 1," (a URC the board
   * must not read as a code). With `lineEnd`, the CR or the LF of its line end is lost instead
   * (the text arrives whole, and nothing may follow it for minutes: the board must read it all the same).
   */
  | ({ kind: "damageUrc"; byte?: number; lineEnd?: "cr" | "lf" } & UrcPoint)
  | ({ kind: "lateUrc"; delayMs: number } & UrcPoint)
  | { kind: "urc"; atMs: number; text: string; service?: boolean }
  | { kind: "readerStall"; atMs: number; forMs: number }
  /** Flip bit 0x20 of byte `byte` of the Nth AT+QFUPL upload, as a UART bit error would (the checksum must catch it). */
  | { kind: "corruptUpload"; byte: number; occurrence?: number; times?: number }
  /** The URC leaves the module in two writes: its first `afterBytes` bytes, then the rest `gapMs` later. */
  | ({ kind: "splitUrc"; afterBytes: number; gapMs: number } & UrcPoint)
  /** Echo stops when this line arrives (a glitch, a reset the firmware missed): the line and later ones are not echoed. */
  | ({ kind: "echoOff" } & CommandPoint)
  /** The board loses power (the runner restarts it with its Store after `offMs`); the module too unless `keepModule`. */
  | PowerCutSpec
  | SocketFaultSpec;

/**
 * Faults of the module's sockets (docs/sockets.md). `occurrence`/`times` count socket opens
 * (TCP and SSL together), except `sendFail`, which is a command point on +QISEND/+QSSLSEND,
 * and `damageRead`, which counts the socket reads that return data.
 * A lost "recv" URC is the general `loseUrc` with `urc: '+QIURC: "recv"'` (or +QSSLURC).
 */
export type SocketFaultSpec =
  /** The connection is refused: +QIOPEN/+QSSLOPEN: <id>,<err> (default 566) after the connect attempt. */
  | { kind: "socketOpenFails"; err?: number; occurrence?: number; times?: number }
  /** The server name does not resolve: <err> 565 after the DNS query. */
  | { kind: "dnsFails"; occurrence?: number; times?: number }
  /** The peer closes the connection after this many bytes of message content (after DATA): +QIURC: "closed". */
  | { kind: "peerClose"; afterDataBytes: number; occurrence?: number; times?: number }
  /** Every reply of the server arrives `delayMs` later (virtual) than the radio round trip alone. */
  | { kind: "slowServer"; delayMs: number; occurrence?: number; times?: number }
  /** The send buffer is full: the N bytes are taken and dropped, the answer is SEND FAIL. */
  | ({ kind: "sendFail" } & CommandPoint)
  /**
   * Byte `byte` (default 0; the last one when the read is shorter) of the data of the Nth socket
   * read that returns data (AT+QIRD / AT+QSSLRECV, counted together) is lost on its way to the
   * board, as a UART losing one byte would lose it: the count line still says the full length,
   * and the module counts the byte as read (its totals, AT+QIRD=<id>,0, include it).
   */
  | { kind: "damageRead"; byte?: number; occurrence?: number; times?: number };

/** The socket fault kinds (each has a bundled scenario on the socket transport: host-sim/scenarios/socket-*.json). */
export const SOCKET_FAULT_KINDS = ["socketOpenFails", "dnsFails", "peerClose", "slowServer", "sendFail", "damageRead"] as const;

/** A power cut of the board: the runner's business; the module tells it when a module-side point is reached. */
export type PowerCutSpec = { kind: "powerCut"; offMs?: number; keepModule?: boolean } & (
  | ({ at: "command" } & CommandPoint)
  | { at: "bodyData"; afterBytes: number; occurrence?: number; times?: number }
  /** After the N-th Store write of the board (counted over its life); per composition name (espruino, moddable, node) when the layouts differ. */
  | { at: "storeWrite"; write: number | Partial<Record<string, number>> }
  | { at: "time"; atMs: number }
);

export const FAULT_KINDS = [
  "reboot", "powerDown", "pdpActivationFails", "pdpDeactDuringSend", "pdpDeact", "commandError", "loseFinal",
  "lateFinal", "interleaveUrc", "duplicateUrc", "loseUrc", "damageUrc", "lateUrc", "urc", "readerStall", "corruptUpload", "splitUrc",
  "echoOff", "powerCut", ...SOCKET_FAULT_KINDS,
] as const;

interface Armed {
  spec: FaultSpec;
  seen: number;
}

function inWindow(a: Armed, occurrence: number | undefined, times: number | undefined): boolean {
  const first = occurrence ?? 1;
  const n = times ?? 1;
  return a.seen >= first && a.seen < first + n;
}

export class FaultPlan {
  private armed: Armed[];
  /** Every fault that fired, for reports and transcripts. */
  readonly fired: string[] = [];

  constructor(specs: FaultSpec[] = []) {
    this.armed = specs.map((spec) => ({ spec, seen: 0 }));
  }

  get specs(): FaultSpec[] {
    return this.armed.map((a) => a.spec);
  }

  /** Faults firing for this command line. Counts occurrences per fault. */
  atCommand(name: string, form: string, line: string): FaultSpec[] {
    const out: FaultSpec[] = [];
    for (const a of this.armed) {
      const s = a.spec as FaultSpec & Partial<CommandPoint> & { at?: string };
      if (s.command === undefined || ((s.kind === "reboot" || s.kind === "powerCut") && s.at !== "command")) continue;
      if (s.command.toUpperCase() !== name) continue;
      if (s.form && s.form !== form) continue;
      if (s.match && !line.includes(s.match)) continue;
      a.seen++;
      if (inWindow(a, s.occurrence, s.times)) {
        out.push(a.spec);
        this.fired.push(`${a.spec.kind} at ${name || "AT"} #${a.seen}`);
      }
    }
    return out;
  }

  /** Faults firing for a URC starting with the given prefix. */
  atUrc(text: string): FaultSpec[] {
    const out: FaultSpec[] = [];
    for (const a of this.armed) {
      const s = a.spec as FaultSpec & Partial<UrcPoint>;
      if (s.urc === undefined || !text.startsWith(s.urc)) continue;
      a.seen++;
      if (inWindow(a, s.occurrence, s.times)) {
        out.push(a.spec);
        this.fired.push(`${a.spec.kind} at URC ${s.urc} #${a.seen}`);
      }
    }
    return out;
  }

  /** Faults firing when a send starts, a body starts, or a PDP activation is attempted. */
  atEvent(kind: "pdpActivationFails" | "pdpDeactDuringSend" | "sendWait" | "bodyData" | "upload" | "socketOpen" | "socketRead"): FaultSpec[] {
    const out: FaultSpec[] = [];
    for (const a of this.armed) {
      const s = a.spec;
      const hit =
        (kind === "pdpActivationFails" && s.kind === "pdpActivationFails") ||
        (kind === "pdpDeactDuringSend" && s.kind === "pdpDeactDuringSend") ||
        (kind === "sendWait" && s.kind === "reboot" && s.at === "sendWait") ||
        (kind === "bodyData" && (s.kind === "reboot" || s.kind === "powerCut") && s.at === "bodyData") ||
        (kind === "upload" && s.kind === "corruptUpload") ||
        (kind === "socketOpen" && (s.kind === "socketOpenFails" || s.kind === "dnsFails" || s.kind === "peerClose" || s.kind === "slowServer")) ||
        (kind === "socketRead" && s.kind === "damageRead");
      if (!hit) continue;
      a.seen++;
      const win =
        s.kind === "pdpActivationFails"
          ? a.seen >= (s.occurrence ?? 1) && a.seen < (s.occurrence ?? 1) + s.times
          : inWindow(a, (s as { occurrence?: number }).occurrence, (s as { times?: number }).times);
      if (win) {
        out.push(s);
        this.fired.push(`${s.kind} at ${kind} #${a.seen}`);
      }
    }
    return out;
  }

  /** Faults on the virtual time line (scheduled at power-on). */
  timed(): FaultSpec[] {
    return this.armed
      .map((a) => a.spec)
      .filter((s) => ((s.kind === "reboot" || s.kind === "powerCut") && s.at === "time") || s.kind === "urc" || s.kind === "pdpDeact" || s.kind === "readerStall" || s.kind === "powerDown");
  }
}
