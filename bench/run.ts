// `npm run bench`: the AT engine against a string-accumulating baseline parser, on the
// fixed corpus of bench/corpus.ts, inside real XS (xsnap-worker, meters) and on Node
// (wall-clock throughput), and the espruino composition's AT link (firmware/compact/link.ts)
// on the same workload in XS. Writes its keys into bench/results.json (one flat object,
// shared with other benchmarks: keys it does not own are kept).
//
//   npm run bench                 real engine if firmware/at/engine.ts exists, else the stand-in
//   npm run bench -- --standin    force the stand-in
//   npm run bench -- --strict     exit 1 when a target is missed
//   npm run bench -- --compact    only the espruino composition's keys (xs.compact.*: its AT link, and
//                                 its core sending mail), XS only
//   npm run bench -- --fleet      only the fleet keys (fleet.boards*: `cellmail fleet`, 100 / 1,000 / 5,000 boards)
//   npm run bench -- --stack      only the stack keys (xs.stack.*: bench/xs-stack.ts)
//   npm run bench -- --espruino   only the espruino.* keys (the real interpreter: bench/espruino/handler.ts) and bundle.espruino.bytes
//   npm run bench -- --socket     only the xs.socket.client.* keys (ext/smtp alone in XS: bench/xs-socket-mail.ts)
//   npm run bench -- --sweep      only the sweep.* keys (seeded UART faults: bench/sweep.ts, also `npm run sweep`)
import { SIM_SOCKET_TARGETS, simSocketFigures } from "./sim-socket.js";
import { performance } from "node:perf_hooks";
import { buildCorpus, CHUNK_SIZE } from "./corpus.js";
import { AtDriver, BaselineDriver, type EngineFactory } from "./xs/at-driver.js";
import { measureInXs, realEngineExists, type XsFigures } from "./xs/measure.js";
import { MAIL_TARGETS, measurePeak, xsMailFigures, type MailFigures, type MailPeak } from "./xs-mail.js";
import { simMailFigures } from "./sim-mail.js";
import { ESPRUINO_BUNDLE_TARGET, espruinoBundleBytes } from "./bundle-size.js";
import { mergeResults } from "./results.js";
import { describeRun, FLEET_TARGETS, fleetFigures } from "./fleet.js";
import { xsStackFigures, type StackFigures } from "./xs-stack.js";
import { STACK_MARGIN } from "../host-sim/xs/device-stack.js";
import { espruinoFigures } from "./espruino/handler.js";
import { xsSocketMailResults } from "./xs-socket-mail.js";
import { printSweep, sweep, SWEEP_COMPOSITIONS, SWEEP_SCENARIOS, SWEEP_SEEDS, sweepResults, type SweepOptions } from "./sweep.js";

export const TARGETS = {
  computePerByte: 25,
  slotsPerByte: 0.01,
  liveSlotGrowth100k: 50,
};

async function loadFactory(standin: boolean): Promise<{ makeEngine: EngineFactory; name: string }> {
  const mod = standin ? await import("./standin/entry.js") : await import("./xs/entry.js");
  return { makeEngine: mod.makeEngine, name: mod.ENGINE_NAME };
}

/** Feed passes of the corpus until at least `ms` of wall clock has gone; MB/s (10^6 bytes). */
function throughput(feed: (passes: number) => void, bytesPerPass: number, ms: number): number {
  feed(20); // warm-up (JIT)
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let passes = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      feed(10);
      passes += 10;
      t = performance.now();
    }
    const mbps = (passes * bytesPerPass) / ((t - t0) / 1000) / 1e6;
    if (mbps > best) best = mbps;
  }
  return best;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

const WIDTHS = [33, 11, 10, 13, 6];

function printRows(rows: Array<[string, string, string, string, string]>): void {
  for (const r of rows) console.log(r.map((c, i) => pad(c, WIDTHS[i])).join(" "));
}

const ok = (b: boolean) => (b ? "ok" : "MISSED");

/** The compact profile's AT link (firmware/compact/link.ts) in XS: the AT engine's workload and method. */
function measureCompact(): Promise<XsFigures> {
  return measureInXs({ subject: "compact", baseline: false, onOutput: (t) => process.stdout.write(`[xs compact] ${t}`) });
}

function compactResults(compact: XsFigures): Record<string, number> {
  return {
    "xs.compact.computePerByte": round(compact.at.computePerByte, 3),
    "xs.compact.slotsPerByte": round(compact.at.slotsPerByte, 5),
    "xs.compact.liveSlotGrowth100k": compact.at.liveSlotGrowth100k,
  };
}

/** The compact link has the engine's slot and growth targets (compute: compared, no target). */
function compactMet(compact: XsFigures): boolean {
  return compact.at.slotsPerByte <= TARGETS.slotsPerByte && compact.at.liveSlotGrowth100k <= TARGETS.liveSlotGrowth100k;
}

/** The compact link's rows, its compute against the full engine's (same workload, same harness). */
function printCompact(compact: XsFigures, xs: XsFigures): void {
  console.log("");
  printRows([
    ["compact link (XS)", "compact", "AT engine", "target", ""],
    [
      "XS compute units / byte",
      compact.at.computePerByte.toFixed(2),
      xs.at.computePerByte.toFixed(2),
      `x${(compact.at.computePerByte / xs.at.computePerByte).toFixed(2)} engine`,
      "",
    ],
    [
      "XS slots allocated / byte",
      compact.at.slotsPerByte.toFixed(4),
      xs.at.slotsPerByte.toFixed(4),
      `<= ${TARGETS.slotsPerByte}`,
      ok(compact.at.slotsPerByte <= TARGETS.slotsPerByte),
    ],
    [
      "XS live-slot growth, 100k lines",
      String(compact.at.liveSlotGrowth100k),
      String(xs.at.liveSlotGrowth100k),
      `<= ${TARGETS.liveSlotGrowth100k}`,
      ok(compact.at.liveSlotGrowth100k <= TARGETS.liveSlotGrowth100k),
    ],
  ]);
  console.log(
    `  compact ${compact.at.compute} units, ${compact.at.slots} slots for ${compact.corpusBytes} bytes (feeding loop and clock included, as for the engine)`,
  );
}

/**
 * The mail-memory rows (bench/xs-mail.ts): the compact core against the full one, same
 * module, configuration and mails. `full` may carry the peak only (`--compact` does not
 * send the moddable composition's 100 mails) or nothing (`--standin`: the full core is not run).
 */
function printMail(compact: MailFigures, full: { growth?: MailFigures["growth"]; peak?: MailPeak }): void {
  console.log("");
  printRows([
    ["core sending mail (XS)", "compact", "full", "target", ""],
    [
      `XS live-slot growth, ${compact.growth.mails} mails`,
      String(compact.growth.liveSlotGrowth),
      full.growth ? String(full.growth.liveSlotGrowth) : "-",
      `<= ${MAIL_TARGETS.liveSlotGrowth100}`,
      full.growth ? ok(compact.met && full.growth.liveSlotGrowth <= MAIL_TARGETS.liveSlotGrowth100) : ok(compact.met),
    ],
    [`XS peak slots, ${compact.peak.bodyBytes}-byte mail`, String(compact.peak.peakLiveSlots), full.peak ? String(full.peak.peakLiveSlots) : "-", "-", ""],
    ["XS live slots after mail 1", String(compact.growth.liveSlotsWarm), full.growth ? String(full.growth.liveSlotsWarm) : "-", "-", ""],
  ]);
  console.log(
    `  peak counted from a gc() before the mail: compact ${compact.peak.liveSlotsAtStart} live at its start, ` +
      `full ${full.peak ? full.peak.liveSlotsAtStart : "-"}; ${compact.growth.deliveriesPerMail} deliveries a mail (compact)`,
  );
}

/**
 * `--compact`: only the espruino composition (the compact core), only the xs.compact.* keys: its link (and the
 * engine in XS, for its compute), and its core sending mail (and the full core's peak for
 * one 10,240-byte mail, for comparison).
 */
async function compactOnly(strict: boolean): Promise<void> {
  const started = performance.now();
  console.log(`cellmail bench --compact: the espruino composition (firmware/compact) against moddable's full core, XS only`);
  const xs = await measureInXs({ engine: "real", baseline: false, onOutput: (t) => process.stdout.write(`[xs] ${t}`) });
  const compact = await measureCompact();
  const compactMail = await xsMailFigures("espruino");
  const fullPeak = await measurePeak(compactMail.peak.bodyBytes, "moddable");
  const results = { ...compactResults(compact), ...compactMail.results };
  mergeResults(results);
  printCompact(compact, xs);
  printMail(compactMail, { peak: fullPeak });
  console.log(`  wrote bench/results.json (${Object.keys(results).length} keys) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (strict && !(compactMet(compact) && compactMail.met)) process.exitCode = 1;
}

/** The fleet rows (bench/fleet.ts): wall time and peak RSS of `cellmail fleet` by fleet size. */
async function measureFleets(): Promise<{ met: boolean; rows: Array<[string, string, string, string, string]> }> {
  const fleet = await fleetFigures(undefined, (r) => console.log(`  ${describeRun(r)}`));
  mergeResults(fleet.results);
  const rows: Array<[string, string, string, string, string]> = [];
  for (const r of fleet.runs) {
    const k = r.boards === 1000;
    rows.push([`fleet of ${r.boards}: wall s`, String(r.wallSeconds), "-", k ? `<= ${FLEET_TARGETS.boards1000WallSeconds}` : "-", k ? ok(r.wallSeconds <= FLEET_TARGETS.boards1000WallSeconds) : ""]);
    rows.push([`fleet of ${r.boards}: peak RSS MB`, String(r.peakRssMB), "-", k ? `<= ${FLEET_TARGETS.boards1000PeakRssMB}` : "-", k ? ok(r.peakRssMB <= FLEET_TARGETS.boards1000PeakRssMB) : ""]);
  }
  return { met: fleet.met, rows };
}

/** The stack rows: the manifest's creation.stack against the bisected need. */
function printStack(stack: StackFigures): boolean {
  const met = stack.manifestSlots >= STACK_MARGIN * stack.minSlots;
  console.log("");
  printRows([
    ["JavaScript stack (XS, slots)", "need", "declared", "target", ""],
    [
      "every scenario passes from",
      String(stack.minSlots),
      String(stack.manifestSlots),
      `>= ${STACK_MARGIN} x need`,
      ok(met),
    ],
  ]);
  console.log(`  deepest step measured ${stack.peakSlots} (full), ${stack.compactPeakSlots} (compact); creation.stack of manifests/moddable/cellmail.json`);
  return met;
}

/** `--stack`: only the xs.stack.* keys. */
async function stackOnly(strict: boolean): Promise<void> {
  const started = performance.now();
  console.log("cellmail bench --stack: the JavaScript stack the core needs in XS (bench/xs-stack.ts)");
  const stack = await xsStackFigures();
  mergeResults(stack.results);
  const met = printStack(stack);
  console.log(`  wrote bench/results.json (${Object.keys(stack.results).length} keys) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (strict && !met) process.exitCode = 1;
}

/** The default seeded sweep (bench/sweep.ts): what docs/profiles.md tabulates, about 15 s. */
async function measureSweep(): Promise<void> {
  const o: SweepOptions = { seeds: SWEEP_SEEDS, scenarios: SWEEP_SCENARIOS, compositions: SWEEP_COMPOSITIONS, engine: "node", parallel: 4 };
  const cells = await sweep(o);
  printSweep(cells, o);
  mergeResults(sweepResults(cells));
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has("--sweep")) return measureSweep();
  if (args.has("--compact")) return compactOnly(args.has("--strict"));
  if (args.has("--fleet")) {
    const f = await measureFleets();
    printRows(f.rows);
    if (args.has("--strict") && !f.met) process.exitCode = 1;
    return;
  }
  if (args.has("--stack")) return stackOnly(args.has("--strict"));
  if (args.has("--socket")) {
    mergeResults(await xsSocketMailResults());
    return;
  }
  if (args.has("--espruino")) {
    // The bundle's size with its figures on the real interpreter: the same bundle.
    const bytes = await espruinoBundleBytes();
    mergeResults({ "bundle.espruino.bytes": bytes });
    console.log(`espruino: bundle ${bytes} bytes (target <= ${ESPRUINO_BUNDLE_TARGET})`);
    const f = await espruinoFigures(12, (l) => console.log(`espruino: ${l}`));
    if ("problem" in f) console.log(`espruino: skipped (${f.problem})`);
    else mergeResults(f.results);
    return;
  }
  const standin = args.has("--standin") || !realEngineExists();
  const started = performance.now();
  const corpus = buildCorpus();
  const { makeEngine, name } = await loadFactory(standin);
  console.log(`cellmail bench: ${name}`);
  console.log(`corpus: ${corpus.lines} lines, ${corpus.bytes.length} bytes, ${CHUNK_SIZE}-byte chunks`);

  // --- real XS (xsnap-worker): deterministic meters
  const xs: XsFigures = await measureInXs({
    engine: standin ? "standin" : "real",
    onOutput: (t) => process.stdout.write(`[xs] ${t}`),
  });
  // --- the espruino composition's AT link, same workload and method in a fresh worker
  const compact = await measureCompact();

  // --- Node: throughput
  const atDriver = new AtDriver(makeEngine);
  atDriver.load(corpus.bytes, CHUNK_SIZE);
  const baseDriver = new BaselineDriver();
  baseDriver.load(corpus.bytes, CHUNK_SIZE);
  const nodeAt = throughput((p) => atDriver.feed(p), corpus.bytes.length, 700);
  const nodeBase = throughput((p) => baseDriver.feed(p), corpus.bytes.length, 700);
  atDriver.close();

  const results = {
    "xs.at.computePerByte": round(xs.at.computePerByte, 3),
    "xs.at.slotsPerByte": round(xs.at.slotsPerByte, 5),
    "xs.at.liveSlotGrowth100k": xs.at.liveSlotGrowth100k,
    ...compactResults(compact),
    "xs.baseline.computePerByte": round(xs.baseline.computePerByte, 3),
    "xs.baseline.slotsPerByte": round(xs.baseline.slotsPerByte, 5),
    "node.at.mbPerSec": round(nodeAt, 2),
    "node.baseline.mbPerSec": round(nodeBase, 2),
  };
  mergeResults(results);
  // The whole core in XS sending mail through the simulated module (bench/xs-mail.ts): moddable (the full core; node runs the same) and espruino.
  const fullMail = standin ? null : await xsMailFigures("moddable");
  if (fullMail) mergeResults(fullMail.results);
  // cellmail's own SMTP client and MIME writer in XS, the same 10,240-byte mail (bench/xs-socket-mail.ts).
  if (!standin) mergeResults(await xsSocketMailResults());
  const compactMail = await xsMailFigures("espruino");
  mergeResults(compactMail.results);
  // The mail path on the paced simulator (bench/sim-mail.ts): commands per mail, body line rate, alarm-to-sent time.
  const simMail = await simMailFigures();
  mergeResults(simMail);
  for (const [k, v] of Object.entries(simMail)) console.log(`${k.padEnd(36)} ${v}`);
  // The same on the socket transport (bench/sim-socket.ts): cellmail's own SMTP client over AT+QSSLOPEN.
  const simSocket = await simSocketFigures();
  mergeResults(simSocket);
  const socketRatio = simSocket["sim.socket.sendSeconds"] / simMail["sim.mail.sendSeconds"];
  for (const [k, v] of Object.entries(simSocket)) console.log(`${k.padEnd(36)} ${v}`);
  console.log(`${"sim.socket / sim.mail sendSeconds".padEnd(36)} x${socketRatio.toFixed(2)} (target <= x${SIM_SOCKET_TARGETS.sendSecondsRatio}) ${socketRatio <= SIM_SOCKET_TARGETS.sendSecondsRatio ? "ok" : "MISSED"}`);
  // The Espruino bundle as uploaded (issue 5's target: 16 KB).
  const bundleBytes = await espruinoBundleBytes();
  mergeResults({ "bundle.espruino.bytes": bundleBytes });
  // The bundle on the real Espruino interpreter (bench/espruino/handler.ts): handler time per mail against the baseline.
  const esp = await espruinoFigures(12, (l) => console.log(`espruino: ${l}`));
  if ("problem" in esp) console.log(`espruino: skipped (${esp.problem})`);
  else mergeResults(esp.results);
  // Seeded UART faults on the two cores (bench/sweep.ts): failed, duplicated and met runs.
  await measureSweep();
  // Fleets of boards on one virtual clock (bench/fleet.ts), each run in its own process.
  const fleet = await measureFleets();
  // The JavaScript stack a Moddable board needs (bench/xs-stack.ts).
  const stack = standin ? null : await xsStackFigures();
  if (stack) mergeResults(stack.results);

  const computeOk = xs.at.computePerByte <= TARGETS.computePerByte;
  const slotsOk = xs.at.slotsPerByte <= TARGETS.slotsPerByte;
  const growthOk = xs.at.liveSlotGrowth100k <= TARGETS.liveSlotGrowth100k;
  const nodeOk = nodeAt >= nodeBase;
  const bundleOk = bundleBytes <= ESPRUINO_BUNDLE_TARGET;
  const compactOk = compactMet(compact);
  const mailOk = compactMail.met && (fullMail ? fullMail.met : true);
  const rows: Array<[string, string, string, string, string]> = [
    ["figure", "AT engine", "baseline", "target", ""],
    [
      "XS compute units / byte",
      xs.at.computePerByte.toFixed(2),
      xs.baseline.computePerByte.toFixed(2),
      `<= ${TARGETS.computePerByte}`,
      ok(computeOk),
    ],
    [
      "XS slots allocated / byte",
      xs.at.slotsPerByte.toFixed(4),
      xs.baseline.slotsPerByte.toFixed(4),
      `<= ${TARGETS.slotsPerByte}`,
      ok(slotsOk),
    ],
    [
      "XS live-slot growth, 100k lines",
      String(xs.at.liveSlotGrowth100k),
      "-",
      `<= ${TARGETS.liveSlotGrowth100k}`,
      ok(growthOk),
    ],
    ["Node MB/s", nodeAt.toFixed(2), nodeBase.toFixed(2), ">= baseline", ok(nodeOk)],
    ["Espruino bundle bytes", String(bundleBytes), "-", `<= ${ESPRUINO_BUNDLE_TARGET}`, ok(bundleOk)],
    ...("problem" in esp
      ? []
      : ([["Espruino handler ms / mail", String(esp.results["espruino.mail.handlerMsPerMail"]), String(esp.results["espruino.baseline.handlerMsPerMail"]), "<= 1.5 x baseline", ok(esp.met)]] as Array<[string, string, string, string, string]>)),
    ...fleet.rows,
  ];
  console.log("");
  printRows(rows);
  console.log("");
  console.log(
    `  baseline / engine: XS compute ${(xs.baseline.computePerByte / xs.at.computePerByte).toFixed(2)}, ` +
      `XS slots ${xs.at.slotsPerByte > 0 ? (xs.baseline.slotsPerByte / xs.at.slotsPerByte).toFixed(0) : "(engine allocated none)"}; ` +
      `Node throughput engine / baseline ${(nodeAt / nodeBase).toFixed(2)}`,
  );
  console.log(
    `  of the AT compute, the feeding loop and manual clock cost ${xs.harnessComputePerByte.toFixed(2)} units/byte; ` +
      `an empty delivery leaves ${xs.deliveryOverheadSlots} slots (both included above, not subtracted)`,
  );
  console.log(
    `  AT compute ${xs.at.compute} units, ${xs.at.slots} slots for ${xs.corpusBytes} bytes; baseline ${xs.baseline.compute} units, ${xs.baseline.slots} slots`,
  );
  printCompact(compact, xs);
  printMail(compactMail, fullMail ?? {});
  const stackOk = stack ? printStack(stack) : true;
  console.log(`  wrote bench/results.json (${Object.keys(results).length} keys) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const allOk = computeOk && slotsOk && growthOk && nodeOk && bundleOk && compactOk && mailOk && fleet.met && stackOk;
  if (!allOk) console.log("  some targets were missed");
  if (args.has("--strict") && !allOk) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
