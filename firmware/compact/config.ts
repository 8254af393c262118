// The compact profile reads the one device record (firmware/config/device.ts), as every
// board does; a board with little RAM (Espruino) never carries the validator, so
// `cellmail config --espruino` writes the record on the host and the board checks only
// its `format` and `check`, refusing anything else with E_CONFIG. The names below keep
// the compact core's words for what is now the shared record.
export type { DeviceConfig as CompactConfig, DeviceInput as CompactInput } from "../config/device.js";
export { DEVICE_FORMAT as COMPACT_FORMAT, deviceCheck as compactCheck, deviceError as compactError } from "../config/device.js";
