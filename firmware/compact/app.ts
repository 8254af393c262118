// The compact profile's composition: a stored device record (firmware/config/device.ts) plus the platform objects
// (the module's port comes with its framing, chosen by the target: Framing in platform/types.ts) become an AtLink and a CompactMailer
// under the one alarm outbox and inputs of every board (firmware/alarm/outbox.ts, inputs.ts). The Espruino target
// starts this; the simulator's runner and the XS bridge start it too, so it is tested on Node and in XS.
import type { Clock, Input, Log, Store } from "../platform/types.js";
import { LOG_ERROR, LOG_INFO } from "../platform/types.js";
import { alarmInputs } from "../alarm/inputs.js";
import { deviceError, type DeviceConfig } from "../config/device.js";
import { createAtLink, type AtLink } from "./link.js";
import type { Framing } from "../platform/types.js";
import { createCompactMailer, type CompactMailer } from "./mailer.js";
import { createOutbox, type Outbox } from "../alarm/outbox.js";
import type { CompactOutcome } from "./types.js";
import type { OutboxOutcome } from "../alarm/types.js";

export interface CompactParts {
  /** The module's port with its framing: createByteFraming(uart) (XS, Node), createTextFraming (Espruino). */
  framing: Framing;
  clock: Clock;
  store: Store;
  log: Log;
  /** As stored (`cellmail config --compact` wrote it); checked here. */
  config: unknown;
  /** Opens the digital input on a pin, or undefined when the board has none there. */
  openInput?: (pin: number) => Input | undefined;
  /** Told about every finished alarm mail (the compact mailer's outcome, with its counts, or the outbox's own). */
  onSent?: (id: number, o: OutboxOutcome & Partial<CompactOutcome>) => void;
}

export interface CompactApp {
  /** 0, or E_CONFIG when the configuration was refused (then nothing runs). */
  readonly error: number;
  readonly link: AtLink | null;
  readonly mailer: CompactMailer | null;
  readonly outbox: Outbox | null;
  /** Recover the outbox and watch the inputs. */
  start(): void;
  /** Raise an alarm from code; the outbox entry id, or -1 (refused key, or not running). */
  raise(key: string, title: string, text?: string): number;
  stop(): void;
}

export function createCompactApp(p: CompactParts): CompactApp {
  const error = deviceError(p.config);
  if (error) {
    p.log(LOG_ERROR, "configuration refused (error " + error + "): see `cellmail config --espruino`");
    return { error: error, link: null, mailer: null, outbox: null, start: () => {}, raise: () => -1, stop: () => {} };
  }
  const c = p.config as DeviceConfig;
  const link = createAtLink(p.framing, p.clock);
  const mailer = createCompactMailer(link, p.clock, c, p.log);
  const outbox = createOutbox(p.clock, p.store, mailer, c, p.log);
  if (p.onSent) outbox.onSent = p.onSent;
  const inputs = alarmInputs(p.clock, c, p.openInput, outbox.raise);
  return {
    error: 0,
    link: link,
    mailer: mailer,
    outbox: outbox,
    start(): void {
      outbox.start();
      inputs.start();
      p.log(LOG_INFO, "cellmail (compact) started");
    },
    raise: outbox.raise, // a text left out is "" there
    stop(): void {
      inputs.stop();
      outbox.stop();
      mailer.close();
    },
  };
}
