// The composition table (host-sim/runner/compositions.ts) against the targets' real
// bundles: each optional module names a piece of text its code cannot be built without;
// the bundle of a composition that carries the module contains it, the bundle of one that
// does not carry it does not. A module that moves into or out of a target's build fails
// here until the table says so. (The bundles the simulator runs in XS are checked the same
// way in test/scenarios/compositions.test.ts.)
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../host-sim/repo.js";
import { COMPOSITION_NAMES, COMPOSITIONS, MODULE_NAMES, MODULES } from "../../host-sim/runner/compositions.js";
import { builtChunk, withoutComments } from "./bundle-code.js";

/** Each target built once for this file. */
const built = new Map<string, Promise<string>>();
function bundleOf(name: (typeof COMPOSITION_NAMES)[number]): Promise<string> {
  const { config, chunk } = COMPOSITIONS[name].build;
  if (!built.has(name)) built.set(name, builtChunk(config, chunk));
  return built.get(name)!;
}

describe("the compositions' modules, as their real bundles carry them", () => {
  for (const name of COMPOSITION_NAMES) {
    const c = COMPOSITIONS[name];
    it(`${name} (rollup build ${c.build.config}, ${c.build.chunk}) carries ${c.modules.length ? c.modules.join(", ") : "no optional module"}`, async () => {
      const code = await bundleOf(name);
      expect(code.length).toBeGreaterThan(10_000);
      const carried = MODULE_NAMES.filter((m) => code.includes(MODULES[m].seenBy));
      expect(carried).toEqual([...c.modules].sort((a, b) => MODULE_NAMES.indexOf(a) - MODULE_NAMES.indexOf(b)));
    });
  }

  it("the Espruino bundle has no upload path at all (AT+QFUPL, AT+QSMTPATT, AT+QFDEL, a CA); the others have each", async () => {
    const [espruino, moddable, node] = await Promise.all(COMPOSITION_NAMES.map(bundleOf));
    for (const text of ["QFUPL", "QSMTPATT", "QFDEL", "cacert"]) {
      expect(espruino.includes(text), `espruino: ${text}`).toBe(false);
      expect(moddable.includes(text), `moddable: ${text}`).toBe(true);
      expect(node.includes(text), `node: ${text}`).toBe(true);
    }
  });

  it("every folder of firmware/ext/ is a declared module (its `ext`), and every module that names a folder has it", () => {
    const dir = join(REPO_ROOT, "firmware", "ext");
    const folders = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
    // Two modules may share a folder (attachments and ca-upload: firmware/ext/upload).
    const declared = [...new Set(MODULE_NAMES.flatMap((m) => (MODULES[m].ext ? [MODULES[m].ext!] : [])))].sort();
    expect(folders, "firmware/ext/<folder> and MODULES[...].ext in host-sim/runner/compositions.ts").toEqual(declared);
  });

  it("withoutComments blanks comments and keeps code and strings", () => {
    expect(withoutComments('var a = "/* QFUPL */"; // QSMTPATT\n/* cacert */ var b = 1;')).toBe('var a = "/* QFUPL */";            \n             var b = 1;');
  });
});
