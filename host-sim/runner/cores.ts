// The cores the simulator runs, by CoreName (host-sim/runner/compositions.ts): for each,
// the FirmwareHost that runs it in this Node process (it composes the modules it is told:
// FirmwareStartOptions.modules) and the XS worker's name; and for each composition the
// entry the XS bridge bundles for real XS (host-sim/xs/firmware.ts), which holds the code of
// the modules that composition carries and no other.
//
// No XS code is imported here (the bundler loads rollup): the XS entries are paths.
import type { CompositionName, CoreName } from "./compositions.js";
import type { FirmwareHost, FirmwareStartOptions } from "./firmware.js";
import { NodeFirmware } from "./node-firmware.js";
import { CompactFirmware } from "./compact-firmware.js";

export interface SimCore {
  /** Runs the core in this Node process. */
  node: new (o: FirmwareStartOptions) => FirmwareHost;
  /** The worker's name in XS. */
  xsWorker: string;
}

export const CORES: Readonly<Record<CoreName, SimCore>> = {
  // firmware/app's Cellmail composition: it validates the raw configuration on the board.
  full: { node: NodeFirmware, xsWorker: "cellmail-xs-firmware" },
  // firmware/compact's CompactApp: the host validates and flattens the configuration first.
  compact: { node: CompactFirmware, xsWorker: "cellmail-xs-compact" },
};

/** The XS bridge's entry of each composition (bundled once per process). */
export const XS_ENTRIES: Readonly<Record<CompositionName, string>> = {
  espruino: "host-sim/xs/device/compact.ts",
  moddable: "host-sim/xs/device/moddable.ts",
  node: "host-sim/xs/device/node.ts",
};
