// One board of a fleet: the simulated EC800 behind its UART link, the core (full or
// compact, on the Node engine, as the scenario runner starts it), its own flash, its clock
// (the fleet's virtual clock, read with the board's skew), and what the fleet learns about
// it: raises done, mails of it that arrived, jobs, warnings. `outbox()` reads what is left
// in its flash at the end, the way one would read a board's storage after the fact.
import type { VirtualClock } from "../clock.js";
import { createSimulatedModem, type SimulatedModem } from "../index.js";
import type { Clock } from "../../firmware/platform/types.js";
import { LOG_WARN } from "../../firmware/platform/types.js";
import { MemoryStore, NodeFirmware } from "../runner/node-firmware.js";
import type { JobOutcome } from "../runner/firmware.js";
import type { CompactFirmware } from "../runner/compact-firmware.js";
import type { Composition } from "../runner/compositions.js";
import { CORES } from "../runner/cores.js";
import type { SmtpEngine } from "../smtp/types.js";
import { OVERFLOW_KEY } from "../../firmware/alarm/outbox.js";
import type { BoardPlan } from "./plan.js";

/** A mail of this board that arrived at the provider. */
export interface ArrivedAlarmMail {
  id: number;
  /** Alarm keys it carries (one, or several for an "outbox full" mail). */
  keys: string[];
  /** Raises it stands for. */
  count: number;
  /** Virtual ms the module started the SMTP transaction that delivered it. */
  at: number;
}

/** What the board's flash still holds: entries (their alarm keys, raises they stand for), by state. */
export interface LeftInOutbox {
  queued: { keys: string[]; count: number }[];
  failed: { keys: string[]; count: number }[];
}

/** An entry's alarm keys: its own, or for the "outbox full" entry the keys its text lists. */
function keysOf(key: string, text: string): string[] {
  return key === OVERFLOW_KEY ? text.split(",").map((k) => k.trim()).filter((k) => k !== "") : [key];
}

/** The fleet's clock as a board reads it: `skewMs` ahead. */
function skewed(clock: VirtualClock, skewMs: number): Clock {
  return {
    now: () => clock.now() + skewMs,
    setTimer: (ms, fire) => clock.setTimer(ms, fire),
    clearTimer: (h) => clock.clearTimer(h),
  };
}

export class FleetBoard {
  readonly plan: BoardPlan;
  sim!: SimulatedModem;
  firmware!: NodeFirmware | CompactFirmware;
  raised = 0;
  readonly mails: ArrivedAlarmMail[] = [];
  warnings = 0;
  jobsDelivered = 0;
  jobsFailed = 0;
  started = false;

  constructor(plan: BoardPlan) {
    this.plan = plan;
  }

  /** Power on: the module starts booting and the core starts (as `cellmail sim` does it). */
  start(clock: VirtualClock, smtp: SmtpEngine, composition: Composition, onOutcome: (b: FleetBoard, o: JobOutcome) => void): void {
    this.sim = createSimulatedModem({ clock, smtp, scenario: this.plan.scenario });
    const options = {
      modules: composition.modules,
      uart: this.sim.uart,
      clock: this.plan.skewMs ? skewed(clock, this.plan.skewMs) : clock,
      config: this.plan.config,
      store: new MemoryStore(),
      log: (level: number) => {
        if (level >= LOG_WARN) this.warnings++;
      },
      onOutcome: (o: JobOutcome) => {
        if (o.delivered) this.jobsDelivered++;
        else this.jobsFailed++;
        onOutcome(this, o);
      },
    };
    // The fleet reads each core's outbox itself (below): one of the two cores' hosts.
    this.firmware = new CORES[composition.core].node(options) as NodeFirmware | CompactFirmware;
    this.sim.powerOn();
    this.started = true;
  }

  raise(key: string, title: string, text: string): void {
    this.raised++;
    void this.firmware.raise({ key, title, text });
  }

  /** Alarms not yet delivered nor failed for good (queued or in flight). */
  pending(): number {
    const fw = this.firmware;
    if (fw instanceof NodeFirmware) return fw.app.alarms.queued();
    return fw.app.outbox ? fw.app.outbox.queued() : 0;
  }

  /** What the board's flash holds at the end. */
  outbox(): LeftInOutbox {
    const out: LeftInOutbox = { queued: [], failed: [] };
    const fw = this.firmware;
    // The outbox (firmware/alarm/outbox.ts) stores each entry as a JSON array: [id, state, key, title, text, count, ...].
    for (const k of fw.store.keys()) {
      if (!k.startsWith("o")) continue;
      const e = JSON.parse(Buffer.from(fw.store.read(k)!).toString("latin1")) as unknown[];
      const item = { keys: keysOf(String(e[2]), String(e[4])), count: Number(e[5]) };
      if (e[1] === 3) out.failed.push(item);
      else out.queued.push(item);
    }
    return out;
  }

  /** The UART transcript of this board. */
  transcript(): string {
    return this.sim.transcript.render();
  }

  async stop(): Promise<void> {
    if (this.started) await this.firmware.stop();
  }
}
