// The `cellmail` command line (bin/cellmail.mjs runs this file through tsx).
//   cellmail sim      run a scenario against the simulated EC800 (default command)
//   cellmail modem    serve the simulated EC800 on a pseudo-terminal
//   cellmail send     send a mail through a real module on a serial port
//   cellmail replay   run the core against a recorded transcript
//   cellmail config   check a configuration; write the compact form for Espruino
//   cellmail fleet    run many boards against one provider account (docs/fleet.md)
//   cellmail flash    build cellmail for a board with its configuration and load it (moddable, espruino)
// One file per command in this directory; commander parses.
import { Command } from "commander";
import { simCommand } from "./sim.js";
import { modemCommand } from "./modem.js";
import { sendCommand } from "./send.js";
import { replayCommand } from "./replay.js";
import { configCommand } from "./config.js";
import { fleetCommand } from "./fleet.js";
import { flashCommand } from "./flash.js";

export function buildProgram(): Command {
  const program = new Command("cellmail")
    .description("Alarm e-mail through a Quectel EC800/EC200 module: simulate, serve a simulated module, send, replay, check a configuration, run a fleet")
    .version("0.1.0")
    .showHelpAfterError();
  program.addCommand(simCommand(), { isDefault: true });
  program.addCommand(modemCommand());
  program.addCommand(sendCommand());
  program.addCommand(replayCommand());
  program.addCommand(configCommand());
  program.addCommand(fleetCommand());
  program.addCommand(flashCommand());
  return program;
}

/**
 * Run the CLI, then exit with the command's status: a session that failed half-way may
 * leave servers or child processes behind, and the command line must still end.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`cellmail: ${process.env.CELLMAIL_DEBUG ? ((e as Error).stack ?? e) : (e as Error).message}\n`);
    process.exitCode = 2;
  }
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

await main();
