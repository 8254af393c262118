// The optional modules a simulated full core composes, by the names its composition carries
// (compositions.ts): picked from the module code an engine's entry holds (every module on
// Node, host-sim/runner/node-firmware.ts; in XS, what the composition's bundle holds,
// host-sim/xs/device/). Plain ES2015: the XS entries bundle it. A name whose code the entry
// does not hold throws: a run never quietly goes without a module its composition declares.
import type { Modules } from "../../firmware/targets/app.js";

/** The part of Modules each module name stands for ("cme-texts" and "validate" are the host's or the core's). */
const PART: { [name: string]: keyof Modules | undefined } = {
  causes: "causes",
  attachments: "files",
  "ca-upload": "files",
  socket: "socketMail",
  "smtp-client": "socketMail",
  queue: "queue",
  "legacy-outbox": "legacyOutbox",
};

export function carried(held: Modules, names: readonly string[]): Modules {
  const out: Modules = {};
  for (let i = 0; i < names.length; i++) {
    const part = PART[names[i]];
    if (part === undefined) continue;
    if (held[part] === undefined) throw new Error("this entry does not hold the module " + names[i]);
    (out as Record<string, unknown>)[part] = held[part];
  }
  return out;
}
