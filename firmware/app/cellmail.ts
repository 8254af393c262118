// The application of the full core: one device configuration (firmware/config/device.ts) plus the
// platform objects become an AT engine and the EC800 mailer, under the alarm outbox and inputs
// every board runs (firmware/alarm/outbox.ts, inputs.ts; Espruino's composition is
// firmware/compact/app.ts). The Moddable and Node targets, the simulator's runner and the XS
// bridge start it through createCellmail's class, so they all run the same core.
import { AtEngine } from "../at/engine.js";
import type { AtEngineOptions, AtWaiting } from "../at/types.js";
import { createOutbox, type Outbox } from "../alarm/outbox.js";
import { alarmInputs, type AlarmInputs } from "../alarm/inputs.js";
import type { Alarm } from "../alarm/types.js";
import type { DeviceConfig } from "../config/device.js";
import { Mailer } from "../mail/mailer.js";
import type { Clock, Input, Log, Store, Uart } from "../platform/types.js";
import type { CauseTexts } from "../modem/codes.js";
import type { Ec800, ModuleFiles } from "../modem/ec800.js";
import type { SocketMailFactory } from "../mail/transport.js";
import { utcText } from "../text/utc.js";
import { JobObserver, MailerForAlarms } from "./alarm-mailer.js";

export interface CellmailParts {
  uart: Uart;
  clock: Clock;
  store: Store;
  log: Log;
  /** The device record (`cellmail config` wrote it, or the on-board validator made it: ext/validate toDevice). */
  config: DeviceConfig;
  /** Opens the digital input on a pin, or undefined when the board has none there. */
  openInput?: (pin: number) => Input | undefined;
  /** Wall-clock ms since 1970, or -1 when unknown (for the times printed in mails). Default: the module's network time. */
  wallTime?: () => number;
  /** Told about every finished mail job (progress output, tests). */
  onJob?: JobObserver;
  engine?: AtEngineOptions;
  /** The command queue, when the composition carries it (firmware/ext/queue); else the engine holds one waiting command. */
  queue?: () => AtWaiting;
  /** Words for error codes, when the composition carries them (firmware/ext/causes). */
  causes?: CauseTexts;
  /** The socket transport, when the composition carries it (firmware/targets/socket-mail.ts). */
  socketMail?: SocketMailFactory;
  /** Files on the module (firmware/ext/upload): attachments and the CA certificate need them. */
  files?: (driver: Ec800) => ModuleFiles;
  /** Run on the Store before the outbox reads it (firmware/ext/legacy-outbox: an earlier firmware's records). */
  beforeStart?: (store: Store, log: Log) => void;
}

export class Cellmail {
  readonly engine: AtEngine;
  readonly mailer: Mailer;
  readonly alarms: Outbox;
  private inputs: AlarmInputs;
  private parts: CellmailParts;

  constructor(p: CellmailParts) {
    this.parts = p;
    const engine: AtEngineOptions = Object.assign({}, p.engine);
    if (p.queue) engine.queue = p.queue();
    this.engine = new AtEngine(p.uart, p.clock, engine);
    const socketMail = p.socketMail;
    const causes = p.causes ? p.causes : null;
    this.mailer = new Mailer(this.engine, p.clock, p.config, {
      log: p.log,
      causes: p.causes,
      transport: p.config.transport,
      socket: socketMail ? (driver: Ec800) => socketMail(this.engine, p.clock, p.config, driver, causes) : undefined,
      files: p.files,
    });
    // The platform's clock if it has one, else the network time the module reported (AT+CCLK?).
    const wall = p.wallTime ? p.wallTime : () => this.mailer.modem.wallTime();
    const clock = p.clock;
    const mailer = new MailerForAlarms(this.mailer, clock, p.onJob ? p.onJob : null, wall);
    // Where the wall-clock time is known, the mail gives the raises' times in it too.
    const when = (t: number): string => {
      const w = wall();
      return w >= 0 ? utcText(w - (clock.now() - t)) : "";
    };
    this.alarms = createOutbox(clock, p.store, mailer, p.config, p.log, when);
    this.inputs = alarmInputs(clock, p.config, p.openInput, this.alarms.raise);
  }

  /** Recover the outbox from the Store, begin sending what it holds, and watch the inputs. */
  start(): void {
    if (this.parts.beforeStart) this.parts.beforeStart(this.parts.store, this.parts.log);
    this.alarms.start();
    this.inputs.start();
  }

  /** Raise an alarm from code; the outbox entry id that carries it, -1 when the key is refused (1..32 printable ASCII, no '"'). */
  raise(alarm: Alarm): number {
    return this.alarms.raise(alarm.key, alarm.title, alarm.text !== undefined ? alarm.text : "");
  }

  stop(): void {
    this.inputs.stop();
    this.alarms.stop();
    this.mailer.close();
    this.engine.close();
  }
}
