// Children of the host side that die with the process that started them. Test rigs start
// real runtimes (the Espruino interpreter, mcsim), `cellmail modem --pty` and socat; when a
// test run is killed from outside (a timeout, ^C, a crashed worker) nothing else stops them,
// and a left interpreter spins a core (it once slowed `npm test` from about 330 s to 497 s).
// util-linux's setpriv (in Debian's essential util-linux) sets the parent-death signal and
// then execs the program, so the child keeps its pid. Where it is absent the program is
// started as it is.
import { existsSync } from "node:fs";

const SETPRIV = "/usr/bin/setpriv";

/** `command args`, to be given to spawn, so that the program gets SIGKILL when its parent dies. */
export function dieWithParent(command: string, args: string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ["--pdeathsig", "KILL", "--", command, ...args]] : [command, args];
}
