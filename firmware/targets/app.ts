// The one place where every target starts the application. Each entry
// (firmware/targets/{moddable,espruino,node}/main.ts) builds a Board from its platform
// adapters and the optional modules it carries (firmware/ext) and calls startApp(board,
// modules); nothing here knows which platform it runs on.
// The configuration is validated first: every invalid field is logged with its path
// and cause, and the application does not start on a bad configuration.
import { LOG_ERROR, LOG_INFO } from "../platform/types.js";
import { validateConfig } from "../config/validate.js";
import { Cellmail } from "../app/cellmail.js";
import type { Alarm } from "../alarm/types.js";
import type { Board } from "./board.js";
import type { CauseTexts } from "../modem/codes.js";

/** The optional modules a composition hands to the core (each absent one is simply left out). */
export interface Modules {
  /** firmware/ext/causes: words for error codes in logs and mails. */
  causes?: CauseTexts;
}

/** Handle returned to the target (kept so a target or a test can raise alarms and stop). */
export interface App {
  /** The running application, or null when the configuration was refused. */
  cellmail: Cellmail | null;
  raise(alarm: Alarm): number;
  stop(): void;
}

export function startApp(board: Board, modules: Modules): App {
  const checked = validateConfig(board.config);
  if (!checked.config) {
    for (let i = 0; i < checked.errors.length; i++) {
      const e = checked.errors[i];
      board.log(LOG_ERROR, "config " + e.field + ": " + e.cause);
    }
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
    config: checked.config,
    openInput: board.openInput,
    causes: modules.causes,
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
