// Every bundled scenario (host-sim/scenarios/*.json) against every composition that
// carries the modules it needs (host-sim/runner/compositions.ts), each run twice against
// the same simulated module: the composition's core in this Node process and inside real XS
// (xsnap-worker, through the XS bridge). Both runs must meet the scenario's one `expect`
// (the same for every composition: delivered, exactly once unless the scenario allows a
// duplicate, or failed with the typed cause and no mail), and the UART transcripts must be
// byte-identical (DESIGN.md section 1); job outcomes, log lines and their virtual times too.
//
// Compositions that run the same core with the same modules (moddable and node: the full
// core) do the same work in the simulator: the suite runs the first of them and says which
// others it stands for; a test below proves they declare the same modules and resolve to
// the same simulator firmware. What a composition leaves out is checked by module, never by
// name: without `attachments` the core never uploads a file, without `ca-upload` it never
// sets a CA.
//
// Every XS run has the stack of a Moddable board, less the margin: the small-stack worker
// (host-sim/xs/stack-worker.ts) at floor(creation.stack / 1.5) slots of cellmail's library
// manifest (host-sim/xs/device-stack.ts). A step that needs more ends the worker ("stack
// overflow") and fails the scenario; passing proves the manifest's stack keeps the margin.
//
// One XS bundle per core serves all XS runs (built once per process); each session has its
// own clock, SMTP server and worker, so scenarios run a few at a time.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledScenarios, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { usedModules } from "../../host-sim/scenarios/format.js";
import { runSession } from "../../host-sim/runner/session.js";
import type { RunSessionOptions, SessionEvent, SessionResult } from "../../host-sim/runner/types.js";
import {
  COMPOSITION_NAMES,
  COMPOSITIONS,
  distinctCompositions,
  MODULE_NAMES,
  MODULES,
  missingModules,
  modulesWithout,
  sameModules,
  type Composition,
  type ModuleName,
} from "../../host-sim/runner/compositions.js";
import { CORES } from "../../host-sim/runner/cores.js";
import { xsFirmwareBundle } from "../../host-sim/xs/firmware.js";
import { manifestStackSlots, testedStackSlots } from "../../host-sim/xs/device-stack.js";
import { checkEspruinoScript } from "../build/espruino-gate.js";
import { withoutComments } from "../build/bundle-code.js";
import { commandLines, count, observable, unexpectedLines } from "../e2e/support.js";
import { KNOWN_BUGS } from "./known-bugs.js";
import { E_AT_BUSY } from "../../firmware/errors.js";

const files = bundledScenarios();
const all = files.map((f) => f.scenario);
const byName = (n: string): Scenario => all.find((s) => s.name === n)!;
const groups = distinctCompositions();
const runnable = (c: Composition): Scenario[] => all.filter((s) => missingModules(c, s.needs).length === 0);
const carries = (c: Composition, m: ModuleName): boolean => c.modules.includes(m);
const stackSlots = testedStackSlots();

/** Scenarios whose link loses or corrupts bytes: what the module received is not what was sent. */
function noisyLink(s: Scenario): boolean {
  return /lossRate|corruptRate|dropAt|corruptAt/.test(JSON.stringify(s.link ?? {}));
}

let dir = "";
/** The runs on Node of the group that stands for the node composition, by scenario (the run without the queue and the legacy outbox compares with them). */
const nodeRuns = new Map<string, Promise<SessionResult>>();
/** Every group's run on Node, by composition and scenario (the ladder's comparison below reads them). */
const groupRuns = new Map<string, Promise<SessionResult>>();
const started = performance.now();
const stackPeak: Record<string, number> = {};
const ran: Record<string, number> = {};

function run(scenario: Scenario, o: Partial<RunSessionOptions>): Promise<SessionResult> {
  return runSession({ scenario, mailDir: dir, ...o });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-compositions-"));
  await Promise.all(groups.map((g) => xsFirmwareBundle(g.runs.name)));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  const each = groups.map((g) => `${g.runs.name} (${g.runs.core} core, stands for ${g.standsFor.map((c) => c.name).join(" and ")}): ${ran[g.runs.name] ?? 0} scenarios, deepest XS step ${stackPeak[g.runs.name] ?? "-"}`);
  console.log(
    `composition scenarios on both engines in ${Math.round(performance.now() - started)} ms; XS stack ${stackSlots} slots (creation.stack ${manifestStackSlots()} / 1.5)\n  ${each.join("\n  ")}`,
  );
});

describe("the compositions and the scenarios they run", () => {
  it("the set is the one we expect to cover (no file silently dropped)", () => {
    expect(all.length).toBeGreaterThanOrEqual(36);
    for (const f of files) expect(`${f.scenario.name}.json`).toBe(f.file.split("/").pop());
  });

  it("node and moddable run the same core with the same modules (both take over an earlier firmware's outbox), so one run stands for both", () => {
    const { node, moddable } = COMPOSITIONS;
    expect(node.core).toBe(moddable.core);
    expect(CORES[node.core].node).toBe(CORES[moddable.core].node);
    expect(moddable.modules).toEqual(MODULE_NAMES);
    expect(node.modules).toEqual(MODULE_NAMES);
    expect(sameModules(node, moddable)).toBe(true);
    // Each composition is run, or stood for by one with its core and modules; none twice.
    expect(groups.flatMap((g) => g.standsFor.map((c) => c.name)).sort()).toEqual([...COMPOSITION_NAMES].sort());
    for (const g of groups) for (const c of g.standsFor) expect([c.core, sameModules(c, g.runs)]).toEqual([g.runs.core, true]);
    expect(groups.map((g) => g.runs.name)).toEqual(["espruino", "moddable"]);
    // The espruino composition's core differs.
    expect(COMPOSITIONS.espruino.core).not.toBe(moddable.core);
  });

  it("a composition carries what each of its modules needs (the socket transport: the command queue)", () => {
    expect(MODULES.socket.needs).toEqual(["queue"]);
    expect(MODULES["smtp-client"].needs).toEqual(["socket"]);
    for (const name of COMPOSITION_NAMES) expect(missingModules(COMPOSITIONS[name], COMPOSITIONS[name].modules), name).toEqual([]);
    // A scenario on the socket transport needs the queue too, through the socket.
    expect(missingModules({ modules: ["socket", "smtp-client"] }, ["socket", "smtp-client"])).toEqual(["queue"]);
    expect(modulesWithout(COMPOSITIONS.node, ["queue"])).toEqual(COMPOSITIONS.node.modules.filter((m) => !["queue", "socket", "smtp-client"].includes(m)));
  });

  it("every scenario lists exactly the modules its firmware part uses; a composition leaves out only what needs a module it lacks", () => {
    for (const s of all) expect([...(s.needs ?? [])].sort(), s.name).toEqual(usedModules(s as unknown as Record<string, unknown>).map((u) => u.module).sort());
    // moddable and node carry every module: they run every bundled scenario.
    expect(runnable(COMPOSITIONS.moddable)).toHaveLength(all.length);
    expect(runnable(COMPOSITIONS.node)).toHaveLength(all.length);
    // espruino carries no attachments, no registration fallback and no socket transport: the scenario that
    // sends an attachment, the one registered on a GSM cell and the ones on the socket transport are left
    // out, each for the module its file says it needs.
    const espruino = runnable(COMPOSITIONS.espruino);
    expect(espruino.length).toBeGreaterThanOrEqual(35);
    const left = all.filter((s) => !espruino.includes(s));
    const lacks: Record<string, string[]> = { "upload-corruption": ["attachments"], "registration-gsm-only": ["reg-fallback"] };
    expect(left.map((s) => s.name).filter((n) => !n.startsWith("socket-")).sort()).toEqual(Object.keys(lacks).sort());
    expect(left.filter((s) => s.name.startsWith("socket-")).length).toBeGreaterThanOrEqual(8);
    for (const s of left) {
      expect(missingModules(COMPOSITIONS.espruino, s.needs), s.name).toEqual(s.name.startsWith("socket-") ? ["queue", "socket", "smtp-client"] : lacks[s.name]);
    }
  });

  it("the known bugs name bundled scenarios their composition runs; compositions of one core list the same", () => {
    for (const name of COMPOSITION_NAMES) for (const s of Object.keys(KNOWN_BUGS[name])) expect(runnable(COMPOSITIONS[name]).map((x) => x.name), name).toContain(s);
    for (const g of groups) for (const c of g.standsFor) expect(KNOWN_BUGS[c.name], c.name).toEqual(KNOWN_BUGS[g.runs.name]);
  });

  it("runSession refuses a scenario on a composition that lacks a module it needs, naming the module, before any server starts", async () => {
    for (const engine of ["node", "xs"] as const) {
      const events: SessionEvent[] = [];
      const mailDir = join(dir, `refused-${engine}`);
      await expect(run(byName("upload-corruption"), { composition: "espruino", engine, mailDir, onEvent: (e) => events.push(e) })).rejects.toThrow(
        /^scenario upload-corruption needs the module attachments, which the espruino composition does not carry \(it carries no optional module\)$/,
      );
      expect(events).toEqual([]); // not even the embedded server's note
      expect(() => readdirSync(mailDir)).toThrow(/ENOENT/);
    }
    await expect(run(byName("happy-path"), { composition: "full" as never })).rejects.toThrow(/unknown composition "full" \(expected espruino, moddable, node\)/);
  });
});

describe("the XS bundle of each core", () => {
  for (const g of groups) {
    it(`${g.runs.core} (${g.standsFor.map((c) => c.name).join(", ")}): ES2015 within the core's rules, reaching only the worker's globals, with the modules the composition declares`, async () => {
      const code = await xsFirmwareBundle(g.runs.name);
      // The bundle is the core the composition names (firmware/app's Cellmail, firmware/compact's CompactApp), not the other.
      const own = { full: "class Cellmail ", compact: "CompactApp" } as const;
      for (const [core, mark] of Object.entries(own)) expect(code.includes(mark), `${core} core (${mark})`).toBe(core === g.runs.core);
      const problems = checkEspruinoScript(code)
        // XS globals of xsnap-worker (the bridge's transport and the gc hook).
        .filter((v) => !(v.rule === "unknown-global" && /^(issueCommand|gc) is/.test(v.message)))
        // An Espruino-only limit that the core's UTF-8 decoder already respects (chunks of 250).
        .filter((v) => v.rule !== "fromCharCode-apply");
      expect(problems.map((v) => `${v.rule} @${v.at}: ${v.message}`)).toEqual([]);
      // The simulator runs what the composition declares (the targets' own bundles: test/build/compositions.test.ts).
      const bare = withoutComments(code);
      for (const [m, { seenBy }] of Object.entries(MODULES)) expect(bare.includes(seenBy), `${m} (${seenBy})`).toBe(carries(g.runs, m as ModuleName));
    });
  }
});

for (const g of groups) {
  const c = g.runs;
  const others = g.standsFor.filter((x) => x !== c).map((x) => x.name);
  describe.concurrent(`${c.name}${others.length ? ` (stands for ${others.join(", ")}: same core, same modules)` : ""}: every scenario it can run, on Node and in XS`, () => {
    for (const scenario of runnable(c)) {
      const bug = KNOWN_BUGS[c.name][scenario.name];
      it(`${scenario.name}${bug ? ` (known bug: ${bug})` : ""}`, async () => {
        const onNode = run(scenario, { composition: c.name, engine: "node" });
        if (g.standsFor.includes(COMPOSITIONS.node)) nodeRuns.set(scenario.name, onNode);
        groupRuns.set(`${c.name}/${scenario.name}`, onNode);
        const [node, xs] = await Promise.all([
          onNode,
          run(scenario, { composition: c.name, engine: "xs", xsStackSlots: stackSlots }),
        ]);
        ran[c.name] = (ran[c.name] ?? 0) + 1;
        expect([node.engine, xs.engine, node.composition, xs.composition]).toEqual(["node", "xs", c.name, c.name]);
        expect(xs.xsStackPeak).toBeGreaterThan(0);
        expect(xs.xsStackPeak).toBeLessThanOrEqual(stackSlots);
        stackPeak[c.name] = Math.max(stackPeak[c.name] ?? 0, xs.xsStackPeak ?? 0);
        // Byte-identical UART transcripts (compared whole, nothing stripped).
        if (xs.transcript !== node.transcript) {
          const a = node.transcript.split("\n");
          const b = xs.transcript.split("\n");
          let i = 0;
          while (i < a.length && a[i] === b[i]) i++;
          expect.fail(`transcripts differ at line ${i + 1}:\n node: ${a[i]}\n xs:   ${b[i]}`);
        }
        expect(observable(xs)).toEqual(observable(node));

        // A composition never sends what a module it lacks would (by module, not by name).
        const lines = commandLines(node.transcript);
        if (!carries(c, "attachments")) for (const p of ["AT+QFUPL", "AT+QSMTPATT", "AT+QFDEL"]) expect(count(lines, p), p).toBe(0);
        if (!carries(c, "ca-upload")) {
          expect(count(lines, 'AT+QSSLCFG="cacert"')).toBe(0);
          expect(lines.filter((l) => l.startsWith('AT+QSSLCFG="seclevel"') && !l.endsWith(",0"))).toEqual([]);
        }
        // Every line it sent is one well-formed command of the job's vocabulary (where the link kept the bytes).
        if (!noisyLink(scenario)) expect(unexpectedLines(lines)).toEqual([]);

        if (bug) {
          // Asserted in a test of its own. Once it holds here, the line in known-bugs.ts must go.
          expect(node.ok || xs.ok, `${scenario.name} now meets its expectation on ${c.name}: remove it from test/scenarios/known-bugs.ts`).toBe(false);
          return;
        }
        expect(node.expectFailures, `node: ${node.expectFailures.join("; ")}`).toEqual([]);
        expect(xs.expectFailures, `xs: ${xs.expectFailures.join("; ")}`).toEqual([]);
        expect(node.ok && xs.ok).toBe(true);
        // The work ended by itself, not by running out of virtual time.
        expect(node.events.filter((e) => e.text.includes("did not end"))).toEqual([]);
        const exp = scenario.expect;
        if (exp.failure) {
          expect(node.mails).toEqual([]);
          expect(node.errors.length).toBeGreaterThanOrEqual(1);
          // Cause texts (on the board, or from the host tables for a core that reports codes): never empty, never a bare number.
          for (const e of node.errors) expect(e.cause).toMatch(/[a-z]{3}/);
        }
        if (exp.delivered) expect(node.delivered).toBeGreaterThanOrEqual(exp.delivered.length);
      });
    }
  });
}

// One recovery ladder (firmware/mail/ladder.ts) for both mailers: under every scenario the
// espruino composition runs (but the two whose link damages bytes at random), its mailer takes
// the rungs the full job takes: the commands that
// show a rung (a reboot, a PDP re-activation, a send, the content built) are the same commands
// in the same order on both, and the mails and the errors are the same. AT+QSMTPCLR is left out:
// the full job clears the module after a mail, Espruino's mailer before building one
// (docs/profiles.md).
{
  const rungCommands = ["AT+CFUN=1,1", "AT+QIDEACT", "AT+QSMTPPUT", "AT+QSMTPBODY"];
  const rungs = (r: SessionResult) => ({
    // By name: the bodies' lengths differ (the full core's alarm text carries cause texts and the wall-clock time).
    commands: commandLines(r.transcript).filter((l) => rungCommands.some((k) => l.startsWith(k))).map((l) => l.split("=")[0]),
    mails: r.mails.length,
    errors: r.errors.map((e) => e.code),
  });
  describe.concurrent("one recovery ladder: the espruino composition takes the full core's rungs in every scenario it runs", () => {
    // Not the scenarios whose link loses or changes bytes at random (noisyLink): the two compositions
    // write different byte streams, so the same seed damages different commands on each.
    for (const scenario of runnable(COMPOSITIONS.espruino).filter((s) => !noisyLink(s))) {
      it(scenario.name, async () => {
        const runOf = (name: "espruino" | "moddable") => groupRuns.get(`${name}/${scenario.name}`) ?? run(scenario, { composition: name, engine: "node" });
        const [espruino, full] = await Promise.all([runOf("espruino"), runOf("moddable")]);
        expect(rungs(espruino)).toEqual(rungs(full));
      });
    }
  });
}

// The full core without the command queue (firmware/ext/queue) and the legacy outbox
// (firmware/ext/legacy-outbox): the engine holds one command waiting behind the one in flight and
// refuses another (E_AT_BUSY); nothing reads an earlier firmware's records. The node
// composition less the two (and the socket transport, which needs the queue) runs every
// scenario that needs neither, on Node and in XS, byte-identical, with the very transcript the
// full composition makes: in those scenarios the queue never holds more than that one command,
// and where the records go is not the UART's business.
{
  const without: ModuleName[] = ["queue", "legacy-outbox"];
  const lessQueue = { modules: modulesWithout(COMPOSITIONS.node, without) };
  describe.concurrent("node without the command queue and the legacy outbox: every scenario that needs neither nor the socket transport, on Node and in XS, as with them", () => {
    it("leaves out only the scenarios on the socket transport", () => {
      const left = all.filter((s) => missingModules(lessQueue, s.needs).length > 0);
      expect(left.length).toBeGreaterThanOrEqual(8);
      for (const s of left) {
        expect(s.needs, s.name).toContain("socket");
        expect(missingModules(lessQueue, s.needs), s.name).toEqual(["queue", "socket", "smtp-client"]);
      }
    });
    for (const scenario of all.filter((s) => missingModules(lessQueue, s.needs).length === 0)) {
      it(scenario.name, async () => {
        const [node, xs] = await Promise.all([
          run(scenario, { composition: "node", without, engine: "node" }),
          run(scenario, { composition: "node", without, engine: "xs", xsStackSlots: stackSlots }),
        ]);
        expect(xs.transcript === node.transcript, "the same transcript on Node and in XS").toBe(true);
        expect(observable(xs)).toEqual(observable(node));
        const withQueue = await (nodeRuns.get(scenario.name) ?? run(scenario, { composition: "node", engine: "node" }));
        expect(node.transcript === withQueue.transcript, "the same transcript as with the queue").toBe(true);
        // The same but for the composition's name (the full run may be the moddable one, which stands for node).
        expect({ ...observable(node), composition: "" }).toEqual({ ...observable(withQueue), composition: "" });
        expect(node.errors.filter((e) => e.code === E_AT_BUSY)).toEqual([]);
        if (KNOWN_BUGS.node[scenario.name]) return;
        expect(node.expectFailures, `node: ${node.expectFailures.join("; ")}`).toEqual([]);
        expect(node.ok && xs.ok).toBe(true);
      });
    }
  });
}
