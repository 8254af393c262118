// The `cellmail` module for Moddable apps. Bundled by rollup into dist/moddable/cellmail.js
// and listed as the module "cellmail" by the library manifest manifests/moddable/cellmail.json,
// which an app includes (after $(MODDABLE)/examples/manifest_base.json). The app starts
// cellmail with one call and raises alarms from its own code:
//
//   import cellmail from "cellmail";
//   const alarms = cellmail();                 // settings from mc/config: the manifest's "config"
//   alarms.raise({ key: "cabinet-temp", title: "Cabinet too hot", text: "41.5 C" });
//
// Settings come from `mc/config` (the app manifest's "config", overridable on the mcconfig
// command line as key=value): flat hardware settings (docs/targets.md) plus the cellmail
// configuration under "cellmail" (docs/configuration.md). `cellmail(overrides)` merges an
// object over them, for an app that builds its settings at run time. Call it once: it
// opens the serial port.
//
// The module body only defines things; the call does the work. That keeps the module
// preloadable: nothing native runs and no buffer is allocated at module top level.
// The Store comes from the module `cellmail/store`, which the library manifest maps per
// platform (NVS Preference on the ESP32, files on `lin`).
import config from "mc/config";
import { openStore, storeInfo } from "cellmail/store";
import { LOG_INFO } from "../../platform/types.js";
import { ModdableClock } from "../../platform/moddable/clock.js";
import { ModdableInput } from "../../platform/moddable/input.js";
import { createModdableLog } from "../../platform/moddable/log.js";
import { ModdableUart, type SerialOptions } from "../../platform/moddable/serial.js";
import { startApp, type App } from "../app.js";
import { causeTexts } from "../../ext/causes/texts.js";
import { toDevice } from "../../ext/validate/device.js";
import { socketMail } from "../socket-mail.js";
import { ufsFiles } from "../../ext/upload/files.js";
import { commandQueue } from "../../ext/queue/queue.js";
import { migrateOutbox } from "../../ext/legacy-outbox/migrate.js";
import type { Settings } from "../board.js";

export type { App } from "../app.js";

/** A number setting; numeric strings count too (mcconfig's key=value overrides are strings). */
function num(value: unknown, fallback: number): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value !== "" && !isNaN(Number(value))) return Number(value);
  return fallback;
}

/** A boolean setting; "false" and "0" count as false (mcconfig's overrides are strings). */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return !(value === false || value === "false" || value === 0 || value === "0");
}

export default function cellmail(overrides?: Settings): App {
  const settings: Settings = Object.assign({}, config as unknown as Settings, overrides || {});
  const log = createModdableLog(num(settings.logLevel, LOG_INFO));
  const serial: SerialOptions = {
    port: num(settings.ltePort, 2),
    receive: num(settings.lteRx, 16),
    transmit: num(settings.lteTx, 17),
    baud: num(settings.lteBaud, 115200),
  };
  if (typeof settings.lteDevice === "string") serial.device = settings.lteDevice;
  const pull = String(settings.alarmPull || "up");
  log(LOG_INFO, "store: " + storeInfo(settings));
  return startApp({
    platform: "moddable",
    uart: new ModdableUart({ serial: serial }),
    clock: new ModdableClock(),
    store: openStore(settings),
    openInput: flag(settings.alarmInputs, true) ? (pin: number) => new ModdableInput({ pin: pin, pull: pull }) : undefined,
    log: log,
    config: settings.cellmail,
  }, { causes: causeTexts(), toDevice: toDevice, socketMail: socketMail, files: ufsFiles, legacyOutbox: migrateOutbox, queue: commandQueue });
}
