// Memory of the whole core in real XS while it sends mail (issue 5 section 5): the core
// runs in xsnap-worker through the XS bridge (host-sim/xs/firmware.ts), the simulated
// EC800 and the virtual clock run here, and the module's SMTP engine is a fake that
// delivers at once (the figures are about the firmware, not about SMTP).
//
// Two compositions (host-sim/runner/compositions.ts), measured the same way: "moddable"
// runs the full core, host-sim/xs/device/main.ts (keys xs.mail.*; node runs the same core),
// "espruino" runs the compact core, host-sim/xs/device/compact.ts (keys xs.compact.mail.*,
// named when the cores were profiles). Same module, same configuration, same mails.
//
//   xs.mail.liveSlotGrowth100  live slots after gc() once mail 100 has ended, minus the
//                              same after mail 1 (warm: module brought up, server
//                              configured, first job done). Target <= 50.
//   xs.mail.peakLiveSlots      highest currentHeapCount seen at the end of any delivery
//                              while one mail with a 10240-byte body is sent, in a fresh
//                              firmware, counted from a gc() just before the mail
//                              (bring-up and configuration included: it is the first mail).
//   xs.mail.peakFirmwareSlots  the same peak without the bridge's own garbage: at each sample,
//                              deliveries so far × one's cost, and (timer clears + UART writes
//                              of a whole buffer) so far × an answer's (each measured per run;
//                              a board reads its UART in place, and its Timer.clear and its
//                              write of a whole buffer allocate nothing; a partial write stays
//                              in, a board slices it).
//   xs.mail.liveSlotsWarm      live slots after mail 1 (context for the two figures above).
//   xs.compact.mail.*          the same three for the espruino composition (growth target <= 50).
//   xs.socket.mail.peakLiveSlots  xs.mail.peakLiveSlots on the socket transport (smtp.transport
//                              "socket": the EC800 socket driver, cellmail's own SMTP client and the
//                              MIME writer in the same core), the module's sockets talking to a real
//                              SMTP server on loopback (implicit TLS). Target: no higher than
//                              xs.mail.peakLiveSlots.
//
//   npx tsx bench/xs-mail.ts [mails] [--espruino|--both]
//                              prints the figures of the moddable composition (--espruino:
//                              the espruino one; --both: both) and merges them into
//                              bench/results.json (npm run bench does it too; npm run
//                              bench -- --compact refreshes the compact ones)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MailServer } from "../host-sim/mailserver/index.js";
import { serverSettings, SIM_SMTP_HOST } from "../host-sim/runner/config.js";
import { MemoryStore } from "../host-sim/runner/node-firmware.js";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { VirtualClock } from "../host-sim/clock.js";
import { mergeResults } from "./results.js";
import { createSimulatedModem } from "../host-sim/index.js";
import { boardConfig } from "../host-sim/runner/config.js";
import type { JobOutcome, JobSpec } from "../host-sim/runner/firmware.js";
import type { Scenario } from "../host-sim/scenarios/scenario.js";
import type { SmtpEngine } from "../host-sim/smtp/types.js";
import { startXsFirmware, type BridgeCosts, type XsFirmware } from "../host-sim/xs/firmware.js";
import type { LinkOptions } from "../host-sim/uart/link.js";
import { LOG_INFO } from "../firmware/platform/types.js";
import { COMPOSITIONS, type CompositionName } from "../host-sim/runner/compositions.js";

export const MAIL_TARGETS = { liveSlotGrowth100: 50 };

/** The results.json key prefix of a composition's mail figures (by its core: the keys predate compositions). */
export function mailKeyPrefix(composition: CompositionName): string {
  return COMPOSITIONS[composition].core === "compact" ? "xs.compact.mail." : "xs.mail.";
}

const SCENARIO: Scenario = {
  name: "xs-mail-memory",
  module: { profile: "typical", urcPort: "uart1" },
  expect: { delivered: [] },
} as unknown as Scenario;

const SOCKET_SCENARIO: Scenario = {
  ...SCENARIO,
  name: "xs-socket-mail-memory",
  needs: ["socket", "smtp-client"],
  firmware: { config: { smtp: { transport: "socket" } } },
} as unknown as Scenario;

/** Delivers every mail at once (no network, no server). */
const instantSmtp: SmtpEngine = {
  deliver: async () => ({ err: 0, protocolError: 0, detail: "delivered (bench fake)" }),
};

export interface Rig {
  clock: VirtualClock;
  firmware: XsFirmware;
  outcomes: JobOutcome[];
  close(): Promise<void>;
}

/**
 * The UART as an ESP32 running Moddable serves it (the SDK's modules/io/serial/esp32/serial.c):
 * the JavaScript reads the 128-byte hardware receive FIFO when its FIFO-full interrupt fires
 * or its receive timeout does (4 symbol times, set by serial.c; the virtual clock's 1 ms
 * here). serial.c leaves the FIFO-full threshold at the chip's reset value; 96 bytes is taken
 * here (64 gives 428 deliveries for the socket mail against 374; 120 overflows the FIFO with
 * this link's 1-ms arrival batches: docs/sockets.md). The link's default hands over whatever
 * arrived at once, which a board never sees: a module echoing a socket send's data streams it
 * in, and a board takes it a FIFO at a time.
 */
export const BOARD_LINK: LinkOptions = { rxFifoBytes: 128, chunking: { mode: "fixed", size: 96 }, idleFlushMs: 1 };

/** What a rig tells of the firmware in XS: each delivery's live slots, op and payload; each UART write. */
export interface RigHooks {
  onMeter?: (slots: number, op: number, payload: Uint8Array | undefined) => void;
  onWrite?: (bytes: Uint8Array, whole: boolean) => void;
}

/** The board's rig: the composition in XS, the simulated EC800 on BOARD_LINK, the virtual clock (socket: the socket transport, with a real server). */
export async function startRig(composition: CompositionName, hooks: RigHooks = {}, socket = false): Promise<Rig> {
  const clock = new VirtualClock();
  const scenario = socket ? SOCKET_SCENARIO : SCENARIO;
  const config = boardConfig(scenario, "");
  // The socket transport talks to a real server (the module's sockets are real connections).
  const server = socket ? await MailServer.start({ ...serverSettings(config, scenario), dir: mkdtempSync(join(tmpdir(), "cellmail-xs-socket-")) }) : null;
  const network = server ? { routes: { [SIM_SMTP_HOST]: { host: server.host, port: server.port } }, servername: "localhost" } : undefined;
  const sim = createSimulatedModem({ clock, smtp: instantSmtp, scenario, modem: network ? { network } : undefined, link: BOARD_LINK });
  const outcomes: JobOutcome[] = [];
  const firmware = await startXsFirmware(
    {
      uart: sim.uart,
      clock,
      store: new MemoryStore(),
      config,
      log: () => undefined,
      onOutcome: (o) => outcomes.push(o),
    },
    // A board logs at LOG_INFO: its debug lines are built and dropped, never sent anywhere.
    { onMeter: hooks.onMeter ? (m, op, payload) => hooks.onMeter!(m.currentHeapCount, op, payload) : undefined, onWrite: hooks.onWrite, logLevel: LOG_INFO },
    composition,
  );
  sim.powerOn();
  return {
    clock,
    firmware,
    outcomes,
    close: async () => {
      await firmware.stop();
      if (server) await server.close();
    },
  };
}

export function job(n: number, body: string): JobSpec {
  return { id: `m${n}`, to: ["ops@example.com"], subject: `Alarm ${n}: door open`, body };
}

/** Submit one job and run the clock until it has ended; throws unless delivered. */
export async function sendOne(rig: Rig, spec: JobSpec): Promise<void> {
  const before = rig.outcomes.length;
  const refused = await rig.firmware.submit(spec);
  if (refused) throw new Error(`job ${spec.id} refused: ${refused.code} ${refused.cause}`);
  await rig.clock.run({ until: () => rig.outcomes.length > before, forMs: 3_600_000 });
  const out = rig.outcomes[before];
  if (!out) throw new Error(`job ${spec.id} did not end within an hour of virtual time`);
  if (!out.delivered) throw new Error(`job ${spec.id} failed: ${out.code} ${out.cause}`);
}

export interface MailMemory {
  composition: CompositionName;
  mails: number;
  liveSlotsWarm: number;
  liveSlotsLast: number;
  liveSlotGrowth: number;
  /** Deliveries into XS per mail in the steady state (after the first). */
  deliveriesPerMail: number;
}

/** `mails` mails in a row in one worker; live slots after gc() following mail 1 and the last mail. */
export async function measureMailGrowth(mails: number, composition: CompositionName = "moddable"): Promise<MailMemory> {
  const rig = await startRig(composition);
  try {
    const body = "Door 1 opened at 03:12. Sensor 4, zone north. Please check the site.";
    await sendOne(rig, job(1, body));
    const warm = rig.firmware.liveSlots();
    const d1 = rig.firmware.deliveries;
    for (let n = 2; n <= mails; n++) await sendOne(rig, job(n, body));
    const last = rig.firmware.liveSlots();
    const perMail = mails > 1 ? (rig.firmware.deliveries - d1) / (mails - 1) : 0;
    return { composition, mails, liveSlotsWarm: warm, liveSlotsLast: last, liveSlotGrowth: last - warm, deliveriesPerMail: Math.round(perMail) };
  } finally {
    await rig.close();
  }
}

/** The peak mail's body: `bytes` bytes of sensor log lines. */
export function sensorLog(bytes: number): string {
  let body = "";
  const line = "Sensor log line with the state of every input at the time of the alarm.\r\n";
  while (body.length < bytes) body += line;
  return body.slice(0, bytes);
}

export interface MailPeak {
  composition: CompositionName;
  bodyBytes: number;
  peakLiveSlots: number;
  /**
   * The same peak without what the XS bridge itself allocates (garbage a board does not make):
   * at each sample, the deliveries so far times their measured cost, and the answers to the
   * timer clears and to the UART writes of a whole buffer so far times an answer's (a board's
   * Timer.clear and its write of a whole buffer allocate nothing; a partial write stays in:
   * a board slices it, about one answer).
   */
  peakFirmwareSlots: number;
  liveSlotsAtStart: number;
  /** Deliveries into XS while the mail was sent (each one sampled). */
  deliveries: number;
  /** What one delivery and one answer cost the bridge (measured in this worker). */
  bridge: BridgeCosts;
  /** Timer clears and UART writes of a whole buffer while the mail was sent (their answers are taken out). */
  clears: number;
  wholeWrites: number;
}

/** Highest slot count at the end of any delivery while one mail with a `bodyBytes` body is sent (`socket`: over the socket transport). */
export async function measurePeak(bodyBytes: number, composition: CompositionName = "moddable", socket = false): Promise<MailPeak> {
  let sampling = false;
  let peak = 0;
  let peakFirmware = 0;
  let samples = 0;
  let bridge: BridgeCosts = { delivery: 0, answer: 0 };
  let d0 = 0;
  let c0 = 0;
  let w0 = 0;
  let fw: XsFirmware | null = null;
  const onMeter = (slots: number): void => {
    if (!sampling || fw === null) return;
    samples++;
    if (slots > peak) peak = slots;
    const own = slots - (fw.deliveries - d0) * bridge.delivery - (fw.clears - c0 + fw.wholeWrites - w0) * bridge.answer;
    if (own > peakFirmware) peakFirmware = own;
  };
  const rig = await startRig(composition, { onMeter }, socket);
  fw = rig.firmware;
  try {
    const body = sensorLog(bodyBytes);
    bridge = rig.firmware.bridgeCosts();
    const start = rig.firmware.liveSlots();
    d0 = rig.firmware.deliveries;
    c0 = rig.firmware.clears;
    w0 = rig.firmware.wholeWrites;
    peak = start;
    peakFirmware = start;
    sampling = true;
    await sendOne(rig, job(1, body));
    sampling = false;
    return {
      composition,
      bodyBytes,
      peakLiveSlots: peak,
      peakFirmwareSlots: peakFirmware,
      liveSlotsAtStart: start,
      deliveries: samples,
      bridge,
      clears: rig.firmware.clears - c0,
      wholeWrites: rig.firmware.wholeWrites - w0,
    };
  } finally {
    await rig.close();
  }
}

export interface MailFigures {
  growth: MailMemory;
  peak: MailPeak;
  /** The keys for bench/results.json (xs.mail.* or xs.compact.mail.*). */
  results: Record<string, number>;
  /** The growth target is met. */
  met: boolean;
}

/** Growth over `mails` mails (one worker) and the peak of one 10240-byte mail (another), for a composition. */
export async function xsMailFigures(composition: CompositionName = "moddable", mails = 100): Promise<MailFigures> {
  const growth = await measureMailGrowth(mails, composition);
  const peak = await measurePeak(10240, composition);
  const k = mailKeyPrefix(composition);
  const results: Record<string, number> = {
    [`${k}liveSlotGrowth100`]: growth.liveSlotGrowth,
    [`${k}liveSlotsWarm`]: growth.liveSlotsWarm,
    [`${k}peakLiveSlots`]: peak.peakLiveSlots,
    [`${k}peakFirmwareSlots`]: peak.peakFirmwareSlots,
  };
  if (COMPOSITIONS[composition].modules.includes("socket")) {
    const socket = await measurePeak(10240, composition, true);
    results["xs.socket.mail.peakLiveSlots"] = socket.peakLiveSlots;
    results["xs.socket.mail.peakFirmwareSlots"] = socket.peakFirmwareSlots;
    console.log(
      `xs mail (${composition}) on the socket transport: one 10240-byte mail: peak ${socket.peakLiveSlots} slots, ${socket.peakFirmwareSlots} without the bridge's ` +
        `(${socket.liveSlotsAtStart} live at its start, ${socket.deliveries} deliveries, ${socket.clears} clears, ${socket.wholeWrites} whole writes); ` +
        `target <= ${peak.peakFirmwareSlots} (the module path's, without the bridge's) ${socket.peakFirmwareSlots <= peak.peakFirmwareSlots ? "ok" : "MISSED"}`,
    );
  }
  console.log(
    `xs mail (${composition}): ${mails} mails, live slots after mail 1 ${growth.liveSlotsWarm}, after mail ${mails} ${growth.liveSlotsLast} ` +
      `(growth ${growth.liveSlotGrowth}, target <= ${MAIL_TARGETS.liveSlotGrowth100}; ${growth.deliveriesPerMail} deliveries a mail); ` +
      `one 10240-byte mail: peak ${peak.peakLiveSlots} slots, ${peak.peakFirmwareSlots} without the bridge's (${peak.liveSlotsAtStart} live at its start, ` +
      `${peak.deliveries} deliveries, ${peak.clears} clears, ${peak.wholeWrites} whole writes; the bridge costs ${peak.bridge.delivery} slots a delivery, ${peak.bridge.answer} an answer)`,
  );
  return { growth, peak, results, met: growth.liveSlotGrowth <= MAIL_TARGETS.liveSlotGrowth100 };
}

/** The figures `npm run bench` merges into bench/results.json, for a composition. */
export async function xsMailResults(mails = 100, composition: CompositionName = "moddable"): Promise<Record<string, number>> {
  return (await xsMailFigures(composition, mails)).results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const mails = Number(args.find((a) => !a.startsWith("--")) ?? 100);
  const which: CompositionName[] = args.includes("--both") ? ["moddable", "espruino"] : args.includes("--espruino") ? ["espruino"] : ["moddable"];
  (async () => {
    for (const composition of which) {
      const r = await xsMailResults(mails, composition);
      if (mails === 100) mergeResults(r);
      else console.log("(not written to bench/results.json: only a 100-mail run is)");
    }
  })().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
