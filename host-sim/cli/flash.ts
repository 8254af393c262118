// `cellmail flash <target>`: build and load cellmail for a board from the same CLI.
//   cellmail flash moddable   the Moddable build (esp32, or lin on a PC): flash-moddable.ts
//   cellmail flash espruino   settings and the bundle over an Espruino board's console: flash-espruino.ts
// One file per target; this file only groups them.
import { Command } from "commander";
import { flashEspruinoCommand } from "./flash-espruino.js";
import { flashModdableCommand } from "./flash-moddable.js";

export function flashCommand(): Command {
  return new Command("flash").description("build cellmail for a board with its configuration and load it")
    .addCommand(flashModdableCommand())
    .addCommand(flashEspruinoCommand());
}
