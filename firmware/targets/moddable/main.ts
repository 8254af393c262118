// Moddable target entry (bundled by rollup into dist/moddable/main.js, listed in
// manifests/moddable/manifest.json). The module body only defines things; the work
// happens in the exported main(), which XS runs at start-up. That keeps the module
// preloadable: nothing native runs and no buffer is allocated at module top level.
//
// Settings come from `mc/config` (manifest "config", overridable on the mcconfig
// command line as key=value): flat hardware settings plus the cellmail configuration
// under "cellmail" (docs/configuration.md).
import config from "mc/config";
import { LOG_INFO } from "../../platform/types.js";
import { ModdableClock } from "../../platform/moddable/clock.js";
import { ModdableInput } from "../../platform/moddable/input.js";
import { createModdableLog } from "../../platform/moddable/log.js";
import { ModdableUart, type SerialOptions } from "../../platform/moddable/serial.js";
import { PreferenceStore } from "../../platform/moddable/store.js";
import { startApp, type App } from "../app.js";
import type { Settings } from "../board.js";

/** A number setting; numeric strings count too (mcconfig's key=value overrides are strings). */
function num(value: unknown, fallback: number): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value !== "" && !isNaN(Number(value))) return Number(value);
  return fallback;
}

export default function main(): App {
  const settings = config as unknown as Settings;
  const log = createModdableLog(num(settings.logLevel, LOG_INFO));
  const serial: SerialOptions = {
    port: num(settings.ltePort, 2),
    receive: num(settings.lteRx, 16),
    transmit: num(settings.lteTx, 17),
    baud: num(settings.lteBaud, 115200),
  };
  if (typeof settings.lteDevice === "string") serial.device = settings.lteDevice;
  return startApp({
    platform: "moddable",
    uart: new ModdableUart({ serial: serial }),
    clock: new ModdableClock(),
    store: new PreferenceStore(typeof settings.storeDomain === "string" ? settings.storeDomain : "cellmail"),
    // The Linux host build has no digital IO: its manifest sets alarmInputs false.
    openInput: settings.alarmInputs === false ? undefined : (pin: number) => new ModdableInput({ pin: pin, pull: String(settings.alarmPull || "up") }),
    log: log,
    config: settings.cellmail,
  });
}
