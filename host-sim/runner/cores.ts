// The cores the simulator runs, by CoreName (host-sim/runner/compositions.ts): for each,
// the FirmwareHost that runs it in this Node process and the entry the XS bridge bundles
// for real XS (host-sim/xs/firmware.ts). A composition names its core; two compositions
// with the same core resolve to the same entries here.
//
// No XS code is imported here (the bundler loads rollup): the XS entries are paths.
import type { CoreName } from "./compositions.js";
import type { FirmwareHost, FirmwareStartOptions } from "./firmware.js";
import { NodeFirmware } from "./node-firmware.js";
import { CompactFirmware } from "./compact-firmware.js";

export interface SimCore {
  /** Runs the core in this Node process. */
  node: new (o: FirmwareStartOptions) => FirmwareHost;
  /** The XS bridge's entry for this core (bundled once per process). */
  xsEntry: string;
  /** The worker's name in XS. */
  xsWorker: string;
}

export const CORES: Readonly<Record<CoreName, SimCore>> = {
  // firmware/app's Cellmail composition: it validates the raw configuration on the board.
  full: { node: NodeFirmware, xsEntry: "host-sim/xs/device/main.ts", xsWorker: "cellmail-xs-firmware" },
  // firmware/compact's CompactApp: the host validates and flattens the configuration first.
  compact: { node: CompactFirmware, xsEntry: "host-sim/xs/device/compact.ts", xsWorker: "cellmail-xs-compact" },
};
