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
import { blobRecords, PREFERENCE_VALUE } from "../../ext/blob-store/blob.js";
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
  // The blob store although a FileStore takes any size: the outbox of a Node board updated from a
  // build before it became optional was written through it (4,000-byte parts), and must still read.
  return startApp(createNodeBoard(options), {
    causes: causeTexts(),
    toDevice: toDevice,
    socketMail: socketMail,
    files: ufsFiles,
    queue: commandQueue,
    records: blobRecords(PREFERENCE_VALUE),
  });
}

export { startApp } from "../app.js";
export { NodeClock, FileStore, SerialPortUart, createNodeLog };
