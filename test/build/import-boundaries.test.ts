// The architecture, enforced: the core (everything under firmware/ except platform/
// adapters and targets/ entries) imports only other core files and the platform
// contract (firmware/platform/types.ts) — never Node, host-sim, npm packages, or a
// platform's modules (embedded:*, timer, preference, ...). Each adapter and each target
// reaches only its own platform. Inside the core, layers import only downwards:
//
//   platform <- at <- modem <- config <- mail <- alarm <- app <- targets
//
// with errors.ts, turn.ts and text/ as shared leaves anyone may import (they import only
// the platform contract). compact/ is the part of the core that is still Espruino's own: its
// files are ranked by what they are (COMPACT_LAYER: the link and its byte framing on the AT
// layer, the mailer, which is the alarm outbox's mailer as app/alarm-mailer.ts is, and the
// composition on the app layer), under the same rule.
//
// firmware/ext/<module>/ holds optional modules: each extends one layer (EXT_LAYER) and
// imports only that layer, the layers below it and its own folder; no core layer imports
// an ext module (app/ and targets/ compose them). A composition that leaves a module out
// then builds without it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const firmware = join(root, "firmware");

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every module specifier a file uses: import/export from, import(), require(). */
function specifiers(path: string): string[] {
  const info = ts.preProcessFile(readFileSync(path, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const rel = (path: string): string => relative(root, path).split(sep).join("/");

/** Which area a firmware file belongs to. */
function area(path: string): string {
  const r = rel(path);
  for (const platform of ["moddable", "espruino", "node"]) {
    if (r.startsWith(`firmware/platform/${platform}/`)) return `platform/${platform}`;
    if (r.startsWith(`firmware/targets/${platform}/`)) return `target/${platform}`;
  }
  return "core"; // firmware/at, modem, mail, alarm, platform/types.ts, targets/app.ts, targets/board.ts
}

/** Espruino's built-in modules, reached with a plain require("..."). */
const ESPRUINO_MODULES = /^(Storage|Flash|fs)$/; // fs: Espruino's file module (Linux builds; boards with a file system)
/** The SDK's modules, and `cellmail/store`, which cellmail's library manifest maps per platform. */
const MODDABLE_MODULES = /^(embedded:|mc\/|pins\/|timer$|time$|preference$|file$|instrumentation$|console$|text\/|cellmail\/store$)/;

/** Why `file` may not import `specifier`, or undefined when it may. */
function forbidden(file: string, specifier: string): string | undefined {
  const fromArea = area(file);
  if (!specifier.startsWith(".")) {
    const platform = fromArea.split("/")[1];
    if (platform === "moddable" && MODDABLE_MODULES.test(specifier)) return undefined;
    if (platform === "node" && (specifier.startsWith("node:") || specifier === "serialport")) return undefined;
    if (platform === "espruino" && ESPRUINO_MODULES.test(specifier)) return undefined;
    return `${fromArea} may not import the package/built-in "${specifier}"`;
  }
  const target = resolve(dirname(file), specifier);
  if (!target.startsWith(firmware + sep)) return `${fromArea} may not reach outside firmware/ ("${specifier}")`;
  const targetArea = area(target.replace(/\.js$/, ".ts"));
  if (targetArea === "core") return undefined;
  const [fromKind, fromPlatform] = fromArea.split("/");
  const [toKind, toPlatform] = targetArea.split("/");
  if (fromKind === "core") return `the core may not import ${targetArea} ("${specifier}")`;
  if (toKind === "target" && fromArea !== targetArea) return `${fromArea} may not import ${targetArea}`;
  if (fromPlatform !== toPlatform) return `${fromArea} may not import ${targetArea} ("${specifier}")`;
  return undefined;
}

/** Layer of a firmware file, lowest first; -1: a shared leaf; undefined: an ext module (extRule ranks it). */
const LAYERS = ["platform", "at", "modem", "config", "mail", "alarm", "app", "targets"];
/** The layer of each file of firmware/compact/ (Espruino's link and mailer). */
const COMPACT_LAYER: { [file: string]: string } = {
  "link.ts": "at", //        one AT command at a time over a Framing (platform/types.ts)
  "frame-bytes.ts": "at", // the byte Framing (XS, Node)
  "mailer.ts": "app", //     the alarm outbox's mailer (firmware/alarm/types.ts OutboxMailer), as app/alarm-mailer.ts
  "types.ts": "app", //      its contract, the outbox's types with its counters
  "app.ts": "app", //        the composition, as app/cellmail.ts
};
const LEAVES = /^firmware\/(errors\.ts|turn\.ts|text\/)/;
/** The layer each optional module extends (firmware/ext/<module>/). */
const EXT_LAYER: { [module: string]: string } = {
  queue: "at", // the command queue: commands waiting behind the one in flight, beyond the engine's one
  causes: "modem", // words for the module's and the server's error codes
  socket: "modem", // the module's TCP and TLS sockets as a byte stream (AT+QIOPEN, AT+QSSLOPEN)
  upload: "modem", // files on the module for its SMTP engine: attachments and the CA (AT+QFUPL, AT+QFDEL)
  validate: "config", // the user's JSON validated and turned into the device record (config/device.ts)
  smtp: "mail", // cellmail's own SMTP client and MIME writer over the module's sockets (issue 14)
  "legacy-outbox": "alarm", // an earlier firmware's outbox records (the blob store's), taken over once at start
};

/** The ext module a file belongs to, or undefined when it is in the core. */
function extOf(path: string): string | undefined {
  const parts = rel(path).split("/");
  return parts[1] === "ext" ? parts[2] : undefined;
}

/** Why `file` may not import `target` by the ext rules, or undefined. */
function extRule(file: string, target: string): string | undefined {
  const fromExt = extOf(file);
  const toExt = extOf(target);
  if (fromExt !== undefined && !(fromExt in EXT_LAYER)) return `${rel(file)}: ext/${fromExt} extends no layer (add it to EXT_LAYER)`;
  if (toExt !== undefined && !(toExt in EXT_LAYER)) return `${rel(target)}: ext/${toExt} extends no layer (add it to EXT_LAYER)`;
  if (fromExt === undefined) {
    if (toExt === undefined) return undefined;
    const from = layerOf(file);
    return from !== undefined && from >= LAYERS.indexOf("app") ? undefined : `the core may not import the optional module ext/${toExt} (compose it in app/ or targets/)`;
  }
  if (toExt === fromExt) return undefined;
  if (toExt !== undefined) return `ext/${fromExt} may not import another optional module (ext/${toExt})`;
  const to = layerOf(target);
  if (to === undefined) return `ext/${fromExt} may not import ${rel(target)}`;
  const own = LAYERS.indexOf(EXT_LAYER[fromExt]);
  return to <= own ? undefined : `ext/${fromExt} extends ${EXT_LAYER[fromExt]} and may not import ${LAYERS[to]} ("${rel(target)}")`;
}

function layerOf(path: string): number | undefined {
  const r = rel(path);
  if (LEAVES.test(r)) return -1;
  const top = r.split("/")[1];
  if (top === "compact") {
    const layer = COMPACT_LAYER[r.split("/")[2]];
    if (layer === undefined) throw new Error(`${r}: in no layer (add it to COMPACT_LAYER)`);
    return LAYERS.indexOf(layer);
  }
  if (top === "ext") return undefined; // ranked by extRule

  const i = LAYERS.indexOf(top);
  if (i < 0) throw new Error(`${r}: in no layer (add its folder to LAYERS)`);
  return i;
}

/** Why `file` may not import the firmware file `specifier` by the layer order, or undefined. */
function upward(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
  if (!target.startsWith(firmware + sep)) return undefined; // the boundary rule's business
  if (extOf(file) !== undefined || extOf(target) !== undefined) return extRule(file, target);
  const from = layerOf(file);
  const to = layerOf(target);
  if (from === undefined || to === undefined) return undefined; // ext modules: extRule
  if (from === -1) {
    // A shared leaf: only other leaves and the platform contract.
    return to === -1 || rel(target) === "firmware/platform/types.ts" ? undefined : `a shared leaf may not import ${rel(target)}`;
  }
  if (to <= from) return undefined;
  return `${LAYERS[from]} may not import ${LAYERS[to]} (upwards: "${specifier}")`;
}

describe("import boundaries under firmware/", () => {
  const files = listTs(firmware);

  it("finds the firmware sources", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it("the core imports nothing from Node, host-sim, npm, or any platform; adapters and targets stay on their platform", () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(file)) {
        const why = forbidden(file, specifier);
        if (why) problems.push(`${rel(file)}: ${why}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`layers import only downwards (${LAYERS.join(" <- ")})`, () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(file)) {
        const why = upward(file, specifier);
        if (why) problems.push(`${rel(file)}: ${why}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the layer rule itself catches upward imports", () => {
    // [file, what it imports, whether that import goes upwards]. Espruino's link is on the AT
    // layer, its mailer on the app layer, and the platform below both.
    const cases: [string, string, boolean][] = [
      ["at/engine.ts", "../modem/ec800.js", true],
      ["at/engine.ts", "../platform/types.js", false],
      ["at/engine.ts", "../errors.js", false],
      ["config/device.ts", "../app/cellmail.js", true],
      ["config/device.ts", "../alarm/outbox.js", true],
      ["config/device.ts", "../modem/quote.js", false],
      ["mail/job.ts", "../alarm/outbox.js", true],
      ["mail/job.ts", "../at/types.js", false],
      ["alarm/outbox.ts", "../targets/app.js", true],
      ["errors.ts", "./mail/job.js", true],
      ["text/utf8.ts", "../platform/types.js", false],
      ["targets/app.ts", "../app/cellmail.js", false],
      ["compact/link.ts", "./mailer.js", true],
      ["compact/link.ts", "../modem/quote.js", true],
      ["compact/link.ts", "../platform/types.js", false],
      ["compact/mailer.ts", "../mail/ladder.js", false],
      ["compact/mailer.ts", "../targets/app.js", true],
      ["platform/espruino/frame-text.ts", "../../compact/link.js", true],
      ["mail/job.ts", "../compact/mailer.js", true],
    ];
    for (const [file, specifier, up] of cases) expect(upward(join(firmware, file), specifier) !== undefined, `${file} -> ${specifier}`).toBe(up);
  });

  it("the ext rule: optional modules sit on the layer they extend, and no core layer reaches them", () => {
    const client = join(firmware, "ext/smtp/client.ts");
    expect(upward(client, "../../mail/message.js")).toBeUndefined();
    expect(upward(client, "../../at/types.js")).toBeUndefined();
    expect(upward(client, "../../errors.js")).toBeUndefined();
    expect(upward(client, "./mime.js")).toBeUndefined();
    expect(upward(client, "../../alarm/service.js")).toMatch(/extends mail and may not import alarm/);
    expect(upward(client, "../other/x.js")).toMatch(/extends no layer|another optional module/);
    expect(upward(join(firmware, "mail/job.ts"), "../ext/smtp/client.js")).toMatch(/the core may not import the optional module/);
    expect(upward(join(firmware, "at/engine.ts"), "../ext/smtp/client.js")).toMatch(/the core may not import/);
    expect(upward(join(firmware, "app/cellmail.ts"), "../ext/smtp/client.js")).toBeUndefined();
    expect(upward(join(firmware, "targets/node/main.ts"), "../../ext/smtp/client.js")).toBeUndefined();
  });

  it("the rule itself catches violations", () => {
    const core = join(firmware, "at/engine.ts");
    expect(forbidden(core, "node:fs")).toBeDefined();
    expect(forbidden(core, "serialport")).toBeDefined();
    expect(forbidden(core, "embedded:io/serial")).toBeDefined();
    expect(forbidden(core, "timer")).toBeDefined();
    expect(forbidden(core, "preference")).toBeDefined();
    expect(forbidden(core, "../../host-sim/clock.js")).toBeDefined();
    expect(forbidden(core, "../platform/moddable/serial.js")).toBeDefined();
    expect(forbidden(core, "../platform/node/store.js")).toBeDefined();
    expect(forbidden(core, "../targets/node/main.js")).toBeDefined();
    expect(forbidden(core, "../platform/types.js")).toBeUndefined();
    expect(forbidden(core, "./types.js")).toBeUndefined();
    const espruinoTarget = join(firmware, "targets/espruino/main.ts");
    expect(forbidden(espruinoTarget, "../../platform/moddable/clock.js")).toBeDefined();
    expect(forbidden(espruinoTarget, "../../platform/espruino/clock.js")).toBeUndefined();
    expect(forbidden(espruinoTarget, "timer")).toBeDefined();
    expect(forbidden(espruinoTarget, "Storage")).toBeUndefined();
    expect(forbidden(core, "Storage")).toBeDefined();
    const moddableAdapter = join(firmware, "platform/moddable/serial.ts");
    expect(forbidden(moddableAdapter, "embedded:io/serial")).toBeUndefined();
    expect(forbidden(moddableAdapter, "node:fs")).toBeDefined();
  });
});
