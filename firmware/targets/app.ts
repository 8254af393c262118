// The one place where the full-core targets start the application. Each entry
// (firmware/targets/{moddable,node}/main.ts) builds a Board from its platform adapters and
// the optional modules it carries (firmware/ext) and calls startApp(board, modules);
// nothing here knows which platform it runs on.
//
// The board's configuration is either the device record `cellmail config` wrote (checked
// by its format and check) or, when the composition carries the on-board validator
// (ext/validate), the user's own JSON, validated and turned into that record here. Every
// invalid field is logged with its path and cause, and the application does not start on
// a bad configuration.
import { LOG_ERROR, LOG_INFO } from "../platform/types.js";
import { Cellmail } from "../app/cellmail.js";
import type { Alarm } from "../alarm/types.js";
import type { Log, Store } from "../platform/types.js";
import type { AtWaiting } from "../at/types.js";
import type { Board } from "./board.js";
import type { CauseTexts } from "../modem/codes.js";
import { deviceError, isDeviceRecord, type DeviceConfig } from "../config/device.js";
import type { SocketMailFactory } from "../mail/transport.js";
import type { Ec800, ModuleFiles } from "../modem/ec800.js";

/** The optional modules a composition hands to the core (each absent one is simply left out). */
export interface Modules {
  /** firmware/ext/causes: words for error codes in logs and mails. */
  causes?: CauseTexts;
  /** The socket transport (firmware/targets/socket-mail.ts): for smtp.transport "socket" or "auto". */
  socketMail?: SocketMailFactory;
  /** firmware/ext/upload: files on the module, for attachments and the CA certificate. */
  files?: (driver: Ec800) => ModuleFiles;
  /** firmware/ext/queue: commands waiting behind the one in flight (the socket transport needs it). */
  queue?: () => AtWaiting;
  /** firmware/ext/legacy-outbox: takes over the alarms an earlier firmware's outbox left in the Store. */
  legacyOutbox?: (store: Store, log: Log) => void;
  /** firmware/ext/validate toDevice: a user's JSON configuration to the device record. */
  toDevice?: (raw: unknown) => { config: DeviceConfig | null; errors: { field: string; cause: string }[] };
}

/** Handle returned to the target (kept so a target or a test can raise alarms and stop). */
export interface App {
  /** The running application, or null when the configuration was refused. */
  cellmail: Cellmail | null;
  raise(alarm: Alarm): number;
  stop(): void;
}

/** The device record of the board's configuration, or null after logging why there is none. */
function deviceConfig(board: Board, modules: Modules): DeviceConfig | null {
  const raw = board.config;
  if (isDeviceRecord(raw)) {
    if (deviceError(raw) === 0) return raw as DeviceConfig;
    board.log(LOG_ERROR, "config: the stored record is not one this firmware wrote (format or check differs): write it again with `cellmail config`");
    return null;
  }
  if (!modules.toDevice) {
    board.log(LOG_ERROR, "config: this build carries no validator: write the configuration with `cellmail config`");
    return null;
  }
  const checked = modules.toDevice(raw);
  for (let i = 0; i < checked.errors.length; i++) {
    const e = checked.errors[i];
    board.log(LOG_ERROR, "config " + e.field + ": " + e.cause);
  }
  return checked.config;
}

export function startApp(board: Board, modules: Modules): App {
  const config = deviceConfig(board, modules);
  if (!config) {
    board.log(LOG_ERROR, "cellmail not started: fix the configuration");
    return {
      cellmail: null,
      raise: () => -1,
      stop: () => board.uart.close(),
    };
  }
  const app = new Cellmail({
    uart: board.uart,
    clock: board.clock,
    store: board.store,
    log: board.log,
    config: config,
    openInput: board.openInput,
    causes: modules.causes,
    socketMail: modules.socketMail,
    files: modules.files,
    beforeStart: modules.legacyOutbox,
    queue: modules.queue,
  });
  app.start();
  board.log(LOG_INFO, "cellmail started on " + board.platform);
  return {
    cellmail: app,
    raise: (alarm: Alarm) => app.raise(alarm),
    stop: () => {
      app.stop();
      board.uart.close();
    },
  };
}
