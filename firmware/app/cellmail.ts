// The application: one device configuration (firmware/config/device.ts) plus the platform objects become an
// AT engine, the EC800 mailer and the alarm service, wired together. Every target
// (Moddable, Espruino, Node, the simulator's runner, the XS bridge) starts the same
// composition through createCellmail, so they all run the same core.
import { AtEngine } from "../at/engine.js";
import type { AtEngineOptions, AtWaiting } from "../at/types.js";
import { AlarmService } from "../alarm/service.js";
import type { Alarm } from "../alarm/types.js";
import type { RecordsOf } from "../alarm/records.js";
import type { DeviceConfig } from "../config/device.js";
import { alarmSettings, inputRules } from "./alarm-options.js";
import { Mailer } from "../mail/mailer.js";
import type { Clock, Input, Log, Store, Uart } from "../platform/types.js";
import type { CauseTexts } from "../modem/codes.js";
import type { Ec800, ModuleFiles } from "../modem/ec800.js";
import type { SocketMailFactory } from "../mail/transport.js";
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
  /** Wall-clock ms since 1970, or -1 when unknown (for the time printed in mails). */
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
  /** How the outbox keeps its records (firmware/ext/blob-store for a Store that limits values); default one Store value each. */
  records?: RecordsOf;
}

export class Cellmail {
  readonly engine: AtEngine;
  readonly mailer: Mailer;
  readonly alarms: AlarmService;
  private opened: Input[];

  constructor(p: CellmailParts) {
    const settings = alarmSettings(p.config);
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
    this.alarms = new AlarmService({
      clock: p.clock,
      store: p.store,
      mailer: new MailerForAlarms(this.mailer, p.onJob ? p.onJob : null),
      log: p.log,
      board: settings.board,
      to: settings.to,
      cc: settings.cc,
      bcc: settings.bcc,
      coalesceMs: settings.coalesceMs,
      perRecipientPerHour: settings.perRecipientPerHour,
      idleMs: settings.idleMs,
      heartbeatMs: settings.heartbeatMs,
      capacity: settings.capacity,
      maxAttempts: settings.maxAttempts,
      records: p.records,
      // The platform's clock if it has one, else the network time the module reported (AT+CCLK?).
      wallTime: p.wallTime ? p.wallTime : () => this.mailer.modem.wallTime(),
    });
    this.opened = [];
    if (p.openInput) {
      const rules = inputRules(p.config);
      for (let i = 0; i < rules.length; i++) {
        const input = p.openInput(rules[i].pin);
        if (input) {
          this.opened.push(input);
          this.alarms.watch(input, rules[i].rule);
        }
      }
    }
  }

  /** Recover the outbox from the Store and begin sending what it holds. */
  start(): void {
    this.alarms.start();
  }

  /** Raise an alarm from code; returns the outbox entry id that carries it. */
  raise(alarm: Alarm): number {
    return this.alarms.raise(alarm);
  }

  stop(): void {
    this.alarms.stop();
    this.mailer.close();
    this.engine.close();
    for (let i = 0; i < this.opened.length; i++) this.opened[i].close();
    this.opened = [];
  }
}
