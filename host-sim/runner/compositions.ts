// The compositions, named after their targets (espruino, moddable, node): which optional
// modules each carries, which core the simulator runs for it, and which rollup build is
// the target's real bundle. Scenarios declare the modules they need (`needs`), the runner
// refuses a scenario on a composition that lacks one, and the scenario suite runs every
// bundled scenario on every composition that carries what it needs
// (test/scenarios/compositions.test.ts).
//
// The table is checked against the real bundles (test/scenarios/compositions-declared.test.ts):
// each module names a piece of text its code cannot be built without (`seenBy`); a build
// that carries the module contains it, a build that does not carry it does not. So a
// module that moves into or out of a target's build fails that test until this table says so.
//
// Plain data only: the scenario format (host-sim/scenarios/format.ts) and the CLI read it
// without loading any firmware.

/**
 * The optional modules: what a composition may leave out (docs/profiles.md). `ext`: the
 * folder under firmware/ext/ that holds it, once it has moved there (a module without one
 * still lives in the full core's layers); every folder of firmware/ext/ is a module here.
 */
const MODULE_TABLE = {
  attachments: {
    what: "attachments: the module's files (firmware/ext/upload: AT+QFUPL with ACK pacing and the XOR-16 checksum) and AT+QSMTPATT (the job's step; without the files a job with attachments is refused at submit)",
    seenBy: "QSMTPATT",
    ext: "upload",
  },
  "ca-upload": {
    what: "a CA certificate uploaded to the module for seclevel 1 (`smtp.ssl.verify: true`; without firmware/ext/upload the configuration is refused)",
    seenBy: "cacert",
    ext: "upload",
  },
  causes: {
    what: "cause texts for the error codes on the board (without them: code and kind; the host turns codes into texts)",
    seenBy: "access denied (sent too often)",
    ext: "causes",
  },
  "reg-fallback": {
    what: "registration asked with AT+CGREG? and AT+CREG? when AT+CEREG? does not say registered (an EC200 with GSM fallback on a 2G cell; without: AT+CEREG? only, which is all an LTE-only EC800 has)",
    seenBy: "+CGREG?",
  },
  "cme-texts": {
    what: "+CME ERROR texts (a module left at AT+CMEE=2) read as their numbers (without: a text error is a plain ERROR)",
    seenBy: "sim busy",
  },
  validate: {
    what: "the configuration validator on the board, with field-path errors (without: `cellmail config` validates on the host and stores the device record)",
    seenBy: "unknown field (expected one of: ",
    ext: "validate",
  },
  queue: {
    what: "the AT command queue: commands waiting behind the one in flight (without: the engine holds one, the step that waits out the settle pause, and refuses another with E_AT_BUSY)",
    seenBy: "class CommandQueue",
    ext: "queue",
  },
  "legacy-outbox": {
    what: "takes over, once at start, the alarms an earlier firmware's outbox left in the Store (its blob-store records; without: such alarms stay unread)",
    seenBy: "class BlobStore",
    ext: "legacy-outbox",
  },
  socket: {
    what: "the module's own TCP and TLS sockets as a byte stream (AT+QIOPEN, AT+QSSLOPEN, AT+QISEND, AT+QIRD; docs/sockets.md)",
    seenBy: "+QSSLOPEN=",
    ext: "socket",
    // It closes a socket while its last read or send still waits, and the next job's commands follow.
    needs: ["queue"],
  },
  "smtp-client": {
    what: "cellmail's own SMTP client and streaming MIME writer over a socket (docs/sockets-smtp.md)",
    seenBy: "MAIL FROM:<",
    ext: "smtp",
    needs: ["socket"],
  },
} as const;

export interface ModuleInfo {
  /** What it does, and what a composition without it does instead. */
  what: string;
  /** Text its code cannot be built without (test/build/compositions.test.ts looks for it in each bundle). */
  seenBy: string;
  /** Its folder under firmware/ext/, once it is there. */
  ext?: string;
  /** Modules it cannot work without: a composition that carries it carries them, a scenario that needs it needs them. */
  needs?: readonly ModuleName[];
}

export type ModuleName = keyof typeof MODULE_TABLE;
export const MODULES: Readonly<Record<ModuleName, ModuleInfo>> = MODULE_TABLE as Record<ModuleName, ModuleInfo>;
export const MODULE_NAMES = Object.keys(MODULES) as ModuleName[];

/**
 * The cores the simulator can run today (host-sim/runner/cores.ts): "full" is
 * firmware/app (createCellmail), "compact" is firmware/compact (the CompactApp).
 */
export type CoreName = "full" | "compact";

export const COMPOSITION_NAMES = ["espruino", "moddable", "node"] as const;
export type CompositionName = (typeof COMPOSITION_NAMES)[number];

export interface Composition {
  name: CompositionName;
  /** The target it ships on (docs/targets.md). */
  target: string;
  /** The optional modules it carries. */
  modules: readonly ModuleName[];
  /** Which core the simulator runs for it (on Node and in XS). */
  core: CoreName;
  /** The rollup build (rollup.config.mjs export) that is this target's bundle, and its chunk. */
  build: { config: "espruino" | "moddable" | "node"; chunk: string };
}

/**
 * What the moddable and node targets carry: every module (the socket transport too:
 * firmware/targets/socket-mail.ts; the legacy outbox, as boards of both ran the earlier
 * firmware whose records it takes over).
 */
const FULL: readonly ModuleName[] = MODULE_NAMES;

export const COMPOSITIONS: Readonly<Record<CompositionName, Composition>> = {
  espruino: { name: "espruino", target: "Espruino", modules: [], core: "compact", build: { config: "espruino", chunk: "cellmail.js" } },
  moddable: { name: "moddable", target: "Moddable (XS on ESP32, lin)", modules: FULL, core: "full", build: { config: "moddable", chunk: "cellmail.js" } },
  node: { name: "node", target: "Node (a real module on a serial port; the simulator)", modules: FULL, core: "full", build: { config: "node", chunk: "main.js" } },
};

/** What runSession and the CLI run when no composition is given. */
export const DEFAULT_COMPOSITION: CompositionName = "node";

export function isCompositionName(x: unknown): x is CompositionName {
  return typeof x === "string" && (COMPOSITION_NAMES as readonly string[]).includes(x);
}

/** The composition of that name; an unknown name throws, naming the known ones. */
export function composition(name: string): Composition {
  if (!isCompositionName(name)) throw new Error(`unknown composition ${JSON.stringify(name)} (expected ${COMPOSITION_NAMES.join(", ")})`);
  return COMPOSITIONS[name];
}

/** `names` with every module they need (ModuleInfo.needs), in MODULE_NAMES order. */
export function withNeeds(names: readonly string[]): string[] {
  const all = new Set<string>();
  const add = (m: string): void => {
    if (all.has(m)) return;
    all.add(m);
    for (const n of (MODULES as Record<string, ModuleInfo | undefined>)[m]?.needs ?? []) add(n);
  };
  names.forEach(add);
  return [...all].sort((a, b) => MODULE_NAMES.indexOf(a as ModuleName) - MODULE_NAMES.indexOf(b as ModuleName));
}

/** The composition's modules less `without` and every module that needs one of them (RunSessionOptions.without). */
export function modulesWithout(c: { modules: readonly ModuleName[] }, without: readonly string[]): ModuleName[] {
  return c.modules.filter((m) => !withNeeds([m]).some((n) => without.includes(n)));
}

/** The modules `needs` asks for (with what they need) that the composition does not carry (empty: it can run the scenario). */
export function missingModules(c: { modules: readonly string[] }, needs: readonly string[] | undefined): string[] {
  return withNeeds(needs ?? []).filter((m) => !c.modules.includes(m));
}

/** Why the composition cannot run the scenario (a module it needs is missing, named), or null when it can. */
export function refusal(c: { name: string; modules: readonly string[] }, scenario: { name: string; needs?: readonly string[] }): string | null {
  const missing = missingModules(c, scenario.needs);
  if (missing.length === 0) return null;
  const has = c.modules.length > 0 ? `it carries ${c.modules.join(", ")}` : "it carries no optional module";
  return `scenario ${scenario.name} needs ${missing.map((m) => `the module ${m}`).join(" and ")}, which the ${c.name} composition does not carry (${has})`;
}

/**
 * One composition per distinct core and module set, the first in COMPOSITION_NAMES order:
 * compositions that run the same core with the same modules do the same work in the
 * simulator, so the scenario suite runs one of them. Each with the others it stands for.
 */
export function distinctCompositions(): { runs: Composition; standsFor: Composition[] }[] {
  const out: { runs: Composition; standsFor: Composition[] }[] = [];
  for (const name of COMPOSITION_NAMES) {
    const c = COMPOSITIONS[name];
    const same = out.find((g) => g.runs.core === c.core && sameModules(g.runs, c));
    if (same) same.standsFor.push(c);
    else out.push({ runs: c, standsFor: [c] });
  }
  return out;
}

export function sameModules(a: Composition, b: Composition): boolean {
  return a.modules.length === b.modules.length && a.modules.every((m) => b.modules.includes(m));
}
