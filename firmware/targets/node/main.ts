// Node target entry (bundled by rollup into dist/node/main.js): the same core driving a
// real EC800/EC200 through a serial port from a PC. The CLI (bin/) imports startNode();
// the simulator does not use this file (host-sim provides its own Uart and VirtualClock).
import { LOG_INFO } from "../../platform/types.js";
import { NodeClock } from "../../platform/node/clock.js";
import { createNodeLog } from "../../platform/node/log.js";
import { SerialPortUart } from "../../platform/node/serial.js";
import { FileStore } from "../../platform/node/store.js";
import { startApp, type App } from "../app.js";
import { causeTexts } from "../../ext/causes/texts.js";
import { toDevice } from "../../ext/validate/device.js";
import { socketMail } from "../socket-mail.js";
import { ufsFiles } from "../../ext/upload/files.js";
import { commandQueue } from "../../ext/queue/queue.js";
import { migrateOutbox } from "../../ext/legacy-outbox/migrate.js";
import type { Board } from "../board.js";

export interface NodeTargetOptions {
  /** Serial device of the module, e.g. /dev/ttyUSB0 or COM5. */
  device: string;
  baud?: number;
  /** Directory for the Store (outbox, state). */
  storeDir: string;
  logLevel?: number;
  /** The cellmail configuration (as read from the JSON configuration file). */
  config: unknown;
}

export function createNodeBoard(options: NodeTargetOptions): Board {
  const log = createNodeLog(options.logLevel ?? LOG_INFO);
  return {
    platform: "node",
    uart: new SerialPortUart({
      path: options.device,
      baudRate: options.baud ?? 115200,
      onError: (err) => log(3, `serial ${options.device}: ${err.message}`),
    }),
    clock: new NodeClock(),
    store: new FileStore(options.storeDir),
    openInput: undefined,
    log,
    config: options.config,
  };
}

export function startNode(options: NodeTargetOptions): App {
  // A Node board updated from a firmware before the one outbox may hold alarms in its records.
  return startApp(createNodeBoard(options), {
    causes: causeTexts(),
    toDevice: toDevice,
    socketMail: socketMail,
    files: ufsFiles,
    queue: commandQueue,
    legacyOutbox: migrateOutbox,
  });
}

export { startApp } from "../app.js";
export { NodeClock, FileStore, SerialPortUart, createNodeLog };
