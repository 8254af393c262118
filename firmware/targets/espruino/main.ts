// Espruino target entry (bundled by rollup into dist/espruino/cellmail.js, one minified
// ES2015 script). Uploaded with the `espruino` CLI (docs/targets.md); runs at once when
// uploaded to RAM, and at every boot when saved to flash.
//
// Espruino runs the compact profile (firmware/compact, docs/profiles.md): the whole
// bundle must fit 16 KB. Settings come from the Storage file "cellmail.json", written
// once with the command `cellmail config --espruino` prints: flat hardware settings
// (lteSerial, lteBaud, lteRx, lteTx, lteDevice, alarmPull, logLevel) plus the configuration,
// validated and flattened on the host, under "cellmail". The defaults below fit an
// ESP32 with the module on Serial2.
import { LOG_ERROR, LOG_INFO } from "../../platform/types.js";
import { createEspruinoClock } from "../../platform/espruino/clock.js";
import { createEspruinoInput } from "../../platform/espruino/input.js";
import { createEspruinoLog } from "../../platform/espruino/log.js";
import { createEspruinoUart } from "../../platform/espruino/serial.js";
import { createTextFraming } from "../../platform/espruino/frame-text.js";
import { createEspruinoStore } from "../../platform/espruino/store.js";
import { createCompactApp } from "../../compact/app.js";
import type { Settings } from "../board.js";

const SETTINGS_FILE = "cellmail.json";

/** A number setting, or the default when it is absent or not a number. */
function num(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

// The start, at the top level of the script: a function around it costs the bundle's bytes
// (the minifier writes each factory called once where it is called), and on Espruino the
// variables that hold the function's code while it runs (docs/targets.md: 5,100 variables).
const stored = require("Storage").readJSON(SETTINGS_FILE, true);
const settings: Settings = stored && typeof stored === "object" ? (stored as Settings) : {};
const log = createEspruinoLog(num(settings.logLevel, LOG_INFO));
const rx = num(settings.lteRx, -1);
const tx = num(settings.lteTx, -1);
// Espruino on Linux (a Raspberry Pi, our tests): the module's device file. Espruino opens
// it without a word when it is missing, so the path is checked and named in the log;
// the board runs on, and its alarms wait in the outbox.
const path = settings.lteDevice;
if (typeof path === "string" && !require("fs").statSync(path)) log(LOG_ERROR, "lteDevice " + path + " does not open");
createCompactApp({
  framing: createTextFraming(createEspruinoUart({
    serial: num(settings.lteSerial, 2) === 1 ? Serial1 : Serial2,
    baud: num(settings.lteBaud, 115200),
    rx: rx >= 0 ? rx : undefined,
    tx: tx >= 0 ? tx : undefined,
    path: typeof path === "string" ? path : undefined,
  })),
  clock: createEspruinoClock(),
  store: createEspruinoStore("cm."),
  openInput: (pin: number) => createEspruinoInput({ pin: pin, pull: String(settings.alarmPull || "up") }),
  log: log,
  config: settings.cellmail,
}).start();
