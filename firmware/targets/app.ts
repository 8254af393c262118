// The one place where every target starts the application. Each entry
// (firmware/targets/{moddable,espruino,node}/main.ts) builds a Board from its platform
// adapters and calls startApp(board); nothing here knows which platform it runs on.
//
// >>> LEAD: APP WIRING GOES HERE <<<
// When firmware/at, firmware/modem, firmware/mail and firmware/alarm exist, replace the
// body below with: validate board.settings into the typed configuration, create
// `new AtEngine(board.uart, board.clock)`, the modem driver, the mail job and the alarm
// layer (outbox on board.store, trigger on board.input), and start them. Keep this file
// ES2015 (DESIGN.md section 3): it is part of every bundle, the Espruino one included.
import { LOG_WARN } from "../platform/types.js";
import type { Board } from "./board.js";

/** Handle returned to the target (kept so a target or a test can stop the app). */
export interface App {
  stop(): void;
}

export function startApp(board: Board): App {
  board.log(LOG_WARN, `cellmail on ${board.platform}: platform ready, application not wired yet`);
  return {
    stop() {
      board.uart.close();
      if (board.input) board.input.close();
    },
  };
}
