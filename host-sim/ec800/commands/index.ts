// The whole command table, by canonical name. Without SMTP support in the firmware
// build, the AT+QSMTP* commands are simply absent (unknown -> ERROR).
import type { CommandSpec } from "../command.js";
import { basicCommands } from "./basic.js";
import { fileCommands } from "./files.js";
import { networkCommands } from "./network.js";
import { pdpCommands } from "./pdp.js";
import { smtpCommands } from "./smtp.js";
import { sslCommands } from "./ssl.js";
import { socketCommands } from "./sockets.js";

export function buildCommandTable(smtpSupported: boolean): Map<string, CommandSpec> {
  const all = [
    ...basicCommands(),
    ...networkCommands(),
    ...pdpCommands(),
    ...sslCommands(),
    ...fileCommands(),
    ...socketCommands(),
    ...(smtpSupported ? smtpCommands() : []),
  ];
  const table = new Map<string, CommandSpec>();
  for (const spec of all) {
    if (table.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
    table.set(spec.name, spec);
  }
  return table;
}
