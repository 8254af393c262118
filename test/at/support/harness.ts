// Test harness: a virtual clock, the scripted modem and an engine wired together,
// plus small helpers to send commands and collect what came back.
import { VirtualClock } from "../../../host-sim/clock.js";
import { AtEngine } from "../../../firmware/at/engine.js";
import type { AtEngineExtraOptions } from "../../../firmware/at/engine.js";
import type { AtRequest, AtResult, Line } from "../../../firmware/at/types.js";
import { SHAPE_NONE } from "../../../firmware/at/types.js";
import { ScriptedModem } from "./modem.js";
import { CommandQueue } from "../../../firmware/ext/queue/queue.js";
import type { Chunking, ModemOptions } from "./modem.js";

export interface Rig {
  clock: VirtualClock;
  modem: ScriptedModem;
  engine: AtEngine;
}

/**
 * The engine with the command queue (firmware/ext/queue), as the full compositions carry it,
 * unless the options say `queue` (undefined: the engine's own one waiting command).
 */
export function rig(echo: boolean, chunking: Chunking, engine?: AtEngineExtraOptions, modem?: ModemOptions): Rig {
  const clock = new VirtualClock();
  const m = new ScriptedModem(clock, { echo, chunking, ...modem });
  const o: AtEngineExtraOptions = engine ?? { settleMs: 20 };
  const e = new AtEngine(m, clock, "queue" in o ? o : { ...o, queue: new CommandQueue() });
  return { clock, modem: m, engine: e };
}

export interface Sent {
  result: AtResult | null;
  lines: string[];
  calls: number;
  /** Virtual time of the callback. */
  at: number;
}

/** Send a command; the returned record fills in as the engine reports. */
export function send(r: Rig, req: Partial<AtRequest> & { command: string }): Sent {
  const rec: Sent = { result: null, lines: [], calls: 0, at: -1 };
  const full: AtRequest = {
    shape: SHAPE_NONE,
    timeoutMs: 1000,
    ...req,
    onLine: (line: Line) => {
      rec.lines.push(line.text());
      if (req.onLine) req.onLine(line);
    },
  };
  const ok = r.engine.send(full, (res) => {
    rec.result = { ...res }; // the engine reuses its result object
    rec.calls++;
    rec.at = r.clock.now();
  });
  if (!ok) throw new Error("send refused");
  return rec;
}

/** Collect URC texts for a prefix. */
export function urcs(r: Rig, prefix: string): string[] {
  const out: string[] = [];
  r.engine.onUrc(r.engine.prefix(prefix), (line) => out.push(line.text()));
  return out;
}
