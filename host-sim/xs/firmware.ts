// The firmware under test in real XS: the cellmail core (host-sim/xs/device/main.ts,
// bundled to one ES2015 script) runs in an `xsnap-worker` child process, and this file
// is the host's half of the bridge. The simulated module, the UART link and the virtual
// clock stay here on Node, exactly as in the Node run (host-sim/runner/node-firmware.ts).
//
// Same order of events as the Node run, by construction: the worker is driven
// synchronously (sync-worker.ts). When the link hands bytes to our UartSink, or a clock
// timer of the firmware fires, we call into XS and return only when XS is done; the
// firmware's reactions (UART writes, timers armed or cleared, log lines, job results)
// arrive during that call as issueCommand messages and are carried out at once, in the
// order XS made them. So the link, the clock and the module see the same calls, with the
// same virtual timestamps and the same timer order, as when the core runs in this process;
// no change to the link or the clock was needed.
//
// Message protocol: host-sim/xs/device/platform/protocol.ts.
//
// Two cores, one bridge (host-sim/runner/cores.ts): "full" runs the Cellmail composition
// (host-sim/xs/device/main.ts, bundled from the entry of moddable or node, each holding the
// code of the modules its composition carries), "compact" runs host-sim/xs/device/compact.ts
// (the CompactApp of the espruino composition). For the compact core the host validates and flattens the
// configuration (toCompact) and refuses attachments before they cross, and turns the
// core's code-only outcomes into JobOutcomes with the same functions the Node run uses
// (host-sim/runner/compact-firmware.ts), so both engines report identically.
import type { Uart, UartSink } from "../../firmware/platform/types.js";
import type { CompactOutcome } from "../../firmware/compact/types.js";
import { compactJson } from "../config/compact.js";
import type { FirmwareHost, FirmwareStartOptions, JobOutcome, JobSpec, AlarmSpec } from "../runner/firmware.js";
import { COMPOSITIONS, type CompositionName, type CoreName } from "../runner/compositions.js";
import { CORES, XS_ENTRIES } from "../runner/cores.js";
import { compactConfigOf, compactFailed, compactJobOutcome, compactPreCheck, compactRefusal } from "../runner/compact-firmware.js";
import { bundleForXs } from "./bundle.js";
import { SyncXsWorker } from "./sync-worker.js";
import type { XsMeter } from "./worker.js";

// Host -> XS operations and XS -> host issues: the XS side's own constants (one definition).
import {
  OP_START,
  OP_BYTES,
  OP_WRITABLE,
  OP_TIMER,
  OP_RAISE,
  OP_SUBMIT,
  OP_FAILED,
  OP_STOP,
  OP_GC,
  OP_PENDING,
  OP_LOGLEVEL,
  OP_PROBE,
  ISSUE_WRITE,
  ISSUE_WRITE_WHOLE,
  ISSUE_TIMER,
  ISSUE_CLEAR,
  ISSUE_LOG,
  ISSUE_RESULT,
  ISSUE_ATTACH,
  ISSUE_CLOSE,
  ISSUE_STORE,
  PAYLOAD as HEADER,
} from "./device/platform/protocol.js";

const GLOBAL = "CellmailXs";

const bundled: Partial<Record<CompositionName, Promise<string>>> = {};

/** The XS bundle of a composition (its core with the modules it carries), built once per process. */
export function xsFirmwareBundle(composition: CompositionName = "node"): Promise<string> {
  let b = bundled[composition];
  if (!b) {
    b = bundleForXs({ entry: XS_ENTRIES[composition], globalName: GLOBAL });
    bundled[composition] = b;
    b.catch(() => {
      delete bundled[composition];
    });
  }
  return b;
}

export interface XsFirmwareExtras {
  /** Told the meter of every delivery into XS (compute, currentHeapCount), its op and its payload (valid during the call). */
  onMeter?: (meter: XsMeter, op: number, payload: Uint8Array | undefined) => void;
  /** Told the bytes of every UART write the firmware issues (valid during the call), and whether it hands over a whole buffer. */
  onWrite?: (bytes: Uint8Array, whole: boolean) => void;
  /** The JavaScript stack in slots (a Moddable manifest's creation.stack); default 4,096. */
  stackSlots?: number;
  /**
   * Log lines below this level are dropped inside XS, as a board's log drops them (default:
   * every line crosses, and `log` gets them all). The bench sets the boards' default, LOG_INFO,
   * so that a debug line costs what it costs on a board, not a crossing into the host.
   */
  logLevel?: number;
}

/** What the bridge itself costs XS, in slots (measured: `XsFirmware.bridgeCosts`). */
export interface BridgeCosts {
  /** One delivery: the message's ArrayBuffer and the view over it. A board reads its UART in place. */
  delivery: number;
  /**
   * The answer to one issued message (an ArrayBuffer, even when empty). A board's Timer.clear
   * answers nothing, and its UART write of a whole buffer allocates nothing (of part of one,
   * a slice: about one answer, so those stay in). The bench takes out clears × answer and
   * wholeWrites × answer.
   */
  answer: number;
}

export class XsFirmware implements FirmwareHost {
  readonly engine = "xs" as const;
  readonly core: CoreName;
  readonly worker: SyncXsWorker;
  /** Deliveries made into XS so far. */
  deliveries = 0;
  /** Timer clears the firmware has issued so far (each one's answer is an ArrayBuffer in XS). */
  clears = 0;
  /** UART writes of a whole buffer the firmware has issued so far (ISSUE_WRITE_WHOLE: each one's answer is an ArrayBuffer in XS, a board's write of one allocates nothing). */
  wholeWrites = 0;
  private o: FirmwareStartOptions;
  private uart: Uart;
  private done: JobOutcome[] = [];
  private timers = new Map<number, unknown>();
  private stopped = false;
  private onMeter: XsFirmwareExtras["onMeter"];
  private onWrite: XsFirmwareExtras["onWrite"];
  private logLevel: number;
  private sink: UartSink;
  /** Compact core: when each submitted job was handed over (its outcome's startedAt). */
  private submittedAt = new Map<string, number>();

  constructor(worker: SyncXsWorker, o: FirmwareStartOptions, extras: XsFirmwareExtras, core: CoreName = "full") {
    this.core = core;
    this.worker = worker;
    this.o = o;
    this.uart = o.uart;
    this.onMeter = extras.onMeter;
    this.onWrite = extras.onWrite;
    this.logLevel = extras.logLevel ?? 0;
    this.sink = {
      onBytes: (data, start, end) => {
        this.deliver(OP_BYTES, data.subarray(start, end));
      },
      onWritable: () => {
        this.deliver(OP_WRITABLE);
      },
    };
    worker.onIssue((m) => this.onIssue(m));
  }

  /** One delivery into XS: op, the virtual time, the payload. Returns XS's reply bytes. */
  deliver(op: number, payload?: Uint8Array | string): Uint8Array {
    const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
    const msg = Buffer.allocUnsafe(HEADER + (body ? body.length : 0));
    msg[0] = op;
    msg.writeDoubleLE(this.o.clock.now(), 1);
    if (body) msg.set(body, HEADER);
    const r = this.worker.command(msg);
    this.deliveries++;
    if (this.onMeter) this.onMeter(r.meter, op, body);
    return r.reply;
  }

  /**
   * What a delivery and an answer cost the bridge in XS (slots, each from a gc()): an empty
   * delivery, then one that issues one clear of no timer. Counts as deliveries and a clear.
   */
  bridgeCosts(): BridgeCosts {
    const g0 = this.liveSlots();
    const empty = this.worker.command(Uint8Array.of(OP_BYTES, 0, 0, 0, 0, 0, 0, 0, 0)).meter.currentHeapCount;
    const g1 = this.liveSlots();
    const probe = this.worker.command(Uint8Array.of(OP_PROBE, 0, 0, 0, 0, 0, 0, 0, 0)).meter.currentHeapCount;
    this.deliveries += 2;
    this.clears++;
    return { delivery: empty - g0, answer: probe - g1 - (empty - g0) };
  }

  /** gc() in XS; returns the live slots after it. */
  liveSlots(): number {
    const r = this.worker.command(Uint8Array.of(OP_GC));
    return r.meter.currentHeapCount;
  }

  private onIssue(m: Uint8Array): Uint8Array | void {
    const b = Buffer.from(m.buffer, m.byteOffset, m.byteLength);
    switch (b[0]) {
      case ISSUE_WRITE_WHOLE:
      case ISSUE_WRITE: {
        // [op][u32 count][bytes][unused rest of the staging buffer]; the answer's length is what the link took.
        if (b[0] === ISSUE_WRITE_WHOLE) this.wholeWrites++;
        const count = b.readUInt32LE(1);
        if (this.onWrite) this.onWrite(b.subarray(5, 5 + count), b[0] === ISSUE_WRITE_WHOLE);
        const n = this.uart.write(b, 5, 5 + count);
        return new Uint8Array(n);
      }
      case ISSUE_TIMER: {
        const id = b.readUInt32LE(1);
        const ms = b.readDoubleLE(5);
        const handle = this.o.clock.setTimer(ms, () => {
          this.timers.delete(id);
          if (this.stopped) return;
          const p = Buffer.allocUnsafe(4);
          p.writeUInt32LE(id, 0);
          this.deliver(OP_TIMER, p);
        });
        this.timers.set(id, handle);
        return;
      }
      case ISSUE_CLEAR: {
        this.clears++;
        const id = b.readUInt32LE(1);
        const handle = this.timers.get(id);
        if (handle !== undefined) {
          this.timers.delete(id);
          this.o.clock.clearTimer(handle);
        }
        return;
      }
      case ISSUE_LOG:
        this.o.log(b[1], b.toString("utf8", 2));
        return;
      case ISSUE_RESULT: {
        let out: JobOutcome;
        if (this.core === "compact") {
          const r = JSON.parse(b.toString("utf8", 1)) as { id: string; o: CompactOutcome };
          out = compactJobOutcome(r.id, r.o, this.submittedAt.get(r.id) ?? -1, this.o.clock.now());
        } else out = JSON.parse(b.toString("utf8", 1)) as JobOutcome;
        this.done.push(out);
        this.o.onOutcome(out);
        return;
      }
      case ISSUE_ATTACH:
        this.uart.attach(this.sink);
        return;
      case ISSUE_CLOSE:
        this.uart.close();
        return;
      case ISSUE_STORE:
        return this.storeOp(b);
      default:
        throw new Error(`XS bridge: unknown issue ${b[0]}`);
    }
  }

  /** The core's Store operations (host-sim/xs/device/platform/store.ts): the bytes stay on the host. */
  private storeOp(b: Buffer): Uint8Array | void {
    const store = this.o.store;
    const key = b.toString("latin1", 3, 3 + b[2]);
    switch (b[1]) {
      case 0x72: {
        const v = store.read(key);
        return v === undefined ? Uint8Array.of(0) : Buffer.concat([Uint8Array.of(1), v]);
      }
      case 0x77:
        store.write(key, b.subarray(3 + b[2]));
        return;
      case 0x64:
        store.remove(key);
        return;
      case 0x6b:
        return Buffer.from(store.keys().map((k) => k + "\n").join(""), "latin1");
    }
    throw new Error(`XS bridge: unknown store operation ${b[1]}`);
  }

  start(): void {
    if (this.logLevel > 0) this.deliver(OP_LOGLEVEL, Uint8Array.of(this.logLevel));
    // Compact: what `cellmail config --compact` would store on the board (pure ASCII JSON).
    this.deliver(OP_START, this.core === "compact" ? compactJson(compactConfigOf(this.o.config)) : JSON.stringify({ config: this.o.config, modules: this.o.modules }));
  }

  async raise(alarm: AlarmSpec): Promise<void> {
    this.deliver(OP_RAISE, JSON.stringify(alarm));
  }

  async submit(job: JobSpec): Promise<{ code: number; cause: string; field: string } | null> {
    if (this.core === "compact") {
      const pre = compactPreCheck(job);
      if (pre) return pre;
      this.submittedAt.set(job.id, this.o.clock.now());
      const { attachments: _none, ...mail } = job;
      const r = this.deliver(OP_SUBMIT, JSON.stringify(mail));
      return r.length === 0 ? null : compactRefusal((JSON.parse(Buffer.from(r).toString("utf8")) as { code: number }).code);
    }
    const reply = this.deliver(OP_SUBMIT, JSON.stringify(job));
    return reply.length === 0 ? null : (JSON.parse(Buffer.from(reply).toString("utf8")) as { code: number; cause: string; field: string });
  }

  outcomes(): JobOutcome[] {
    return this.done.slice();
  }

  async failedAlarms(): Promise<{ id: number; key: string; code: number; cause: string }[]> {
    const list = JSON.parse(Buffer.from(this.deliver(OP_FAILED)).toString("utf8"));
    return this.core === "compact" ? compactFailed(list) : list;
  }

  pendingAlarms(): number {
    return Buffer.from(this.deliver(OP_PENDING)).readUInt32LE(0);
  }

  kill(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const h of this.timers.values()) this.o.clock.clearTimer(h);
    this.timers.clear();
    this.worker.close();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    try {
      this.deliver(OP_STOP);
    } finally {
      this.stopped = true;
      for (const h of this.timers.values()) this.o.clock.clearTimer(h);
      this.timers.clear();
      this.worker.close();
    }
  }
}

/** Start a core in a fresh XS worker, attached to the simulated module's UART and clock. */
export async function startXsFirmware(o: FirmwareStartOptions, extras: XsFirmwareExtras = {}, composition: CompositionName = "node"): Promise<XsFirmware> {
  const core = COMPOSITIONS[composition].core;
  // A configuration the compact core refuses is reported before a worker is started.
  if (core === "compact") compactConfigOf(o.config);
  const script = await xsFirmwareBundle(composition);
  const worker = SyncXsWorker.start({ name: CORES[core].xsWorker, stackSlots: extras.stackSlots });
  try {
    worker.evaluate(`${script}\n;globalThis.handleCommand = ${GLOBAL}.handleCommand;`);
    // The full core composes the composition's modules unless told fewer (FirmwareStartOptions.modules).
    const fw = new XsFirmware(worker, { ...o, modules: o.modules ?? COMPOSITIONS[composition].modules }, extras, core);
    fw.start();
    return fw;
  } catch (e) {
    worker.close();
    throw e;
  }
}
