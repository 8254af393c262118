// One simulated session, end to end: the embedded SMTP server (or an outside one), the
// module's real SMTP engine, the EC800 model with the scenario's faults, and the
// firmware core (in Node or in real XS), all on one virtual clock. The firmware gets
// the scenario's work (a mail job, an alarm), the session runs until that work has
// ended, and the scenario's `expect` is checked against what the server received.
import { VirtualClock } from "../clock.js";
import { createSimulatedModem, type SimulatedModem } from "../index.js";
import { MailServer, type ReceivedMail } from "../mailserver/server.js";
import { NodemailerSmtpEngine } from "../smtp/engine.js";
import type { SmtpEngine } from "../smtp/types.js";
import { UartLink } from "../uart/link.js";
import { TranscriptRecorder } from "../transcript/recorder.js";
import { TranscriptReplayer } from "../transcript/replay.js";
import { parseTranscript } from "../transcript/format.js";
import type { Uart } from "../../firmware/platform/types.js";
import { LOG_DEBUG, LOG_WARN } from "../../firmware/platform/types.js";
import { attachmentBytes, boardConfig, firmwareSection, serverSettings, SIM_SMTP_HOST, type RunnerFirmware } from "./config.js";
import { checkExpect, type Observed } from "./expect.js";
import { BoardLife, Flash } from "./board.js";
import type { PowerCutSpec } from "../ec800/faults.js";
import { causeName } from "./causes.js";
import type { AlarmSpec, FirmwareHost, FirmwareStartOptions, JobOutcome, JobSpec } from "./firmware.js";
import { composition as compositionNamed, COMPOSITIONS, DEFAULT_COMPOSITION, modulesWithout, refusal, type CompositionName } from "./compositions.js";
import { CORES } from "./cores.js";
import type { ArrivedMail, RunSessionOptions, SessionEvent, SessionResult } from "./types.js";

/** Virtual time a session may take when the scenario does not say (one hour). */
const DEFAULT_DURATION_MS = 3_600_000;
/** After the work ends, keep running this long so late or duplicate URCs and clean-up show. */
const SETTLE_MS = 5_000;
/** Real-time cap on one SMTP transaction (a silent server must not stall a test for 300 s). */
const SMTP_CAP_MS = 15_000;
/** How long a cut board stays without power unless the fault says (`offMs`). */
const DEFAULT_OFF_MS = 5_000;
/** How often (virtual ms) the runner asks the alarm layer whether anything is left to send, besides after each result. */
const PENDING_POLL_MS = 10_000;
/** More raises than this are announced as one storm, not one line each. */
const STORM_QUIET = 5;

export interface SessionOptions extends RunSessionOptions {
  /** Play the module's side from this recorded transcript instead of the EC800 model. */
  replay?: string;
}

/** The XS engine is loaded on demand: it needs a child process and a bundle. */
async function startFirmware(
  engine: "node" | "xs",
  composition: CompositionName,
  o: FirmwareStartOptions,
  stack: { slots?: number; peak: number },
): Promise<FirmwareHost> {
  if (engine === "node") return new CORES[COMPOSITIONS[composition].core].node(o);
  const { startXsFirmware } = await import("../xs/firmware.js");
  const onMeter = stack.slots === undefined ? undefined : (m: { stackPeak: number }) => {
    if (m.stackPeak > stack.peak) stack.peak = m.stackPeak;
  };
  return startXsFirmware(o, { stackSlots: stack.slots, onMeter }, composition);
}

function jobOf(id: string, m: NonNullable<RunnerFirmware["mail"]>): JobSpec {
  return {
    id,
    to: m.to,
    cc: m.cc,
    bcc: m.bcc,
    subject: m.subject,
    body: m.body,
    attachments: (m.attachments ?? []).map((a) => ({
      name: a.name,
      base64: (a.text !== undefined ? Buffer.from(a.text, "utf8") : attachmentBytes(a.name, a.size ?? 1024)).toString("base64"),
    })),
  };
}

function arrived(m: ReceivedMail): ArrivedMail {
  return {
    subject: m.subject,
    from: m.from ? (m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address) : "",
    to: m.to.map((a) => a.address),
    cc: m.cc.map((a) => a.address),
    attachments: m.attachments.map((a) => ({ name: a.filename ?? "", size: a.size })),
    envelope: { from: m.envelope.mailFrom, rcptTo: m.envelope.rcptTo.slice() },
    size: m.raw.length,
    eml: m.emlPath,
  };
}

/** Raises of the scenario in time order: `firmware.alarm` at once, then each train of `firmware.raises`. */
function raisePlan(fw: RunnerFirmware, hasJobs: boolean): { atMs: number; alarm: AlarmSpec }[] {
  const plan: { atMs: number; alarm: AlarmSpec }[] = [];
  const first = fw.alarm ?? (!hasJobs && !fw.raises ? { key: "demo", title: "Water leak in the pump room", text: "Leak sensor 1 is wet." } : undefined);
  if (first) plan.push({ atMs: 0, alarm: first });
  for (const r of fw.raises ?? []) {
    const alarm: AlarmSpec = { key: r.key, title: r.title, text: r.text };
    for (let i = 0; i < (r.count ?? 1); i++) plan.push({ atMs: r.atMs + i * (r.everyMs ?? 0), alarm });
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

export async function runSession(opts: SessionOptions): Promise<SessionResult> {
  const scenario = opts.scenario;
  const engine = opts.engine ?? "node";
  const named = compositionNamed(opts.composition ?? DEFAULT_COMPOSITION);
  const without = opts.without ?? [];
  const comp = without.length === 0 ? named : { ...named, name: `${named.name} (without ${without.join(", ")})`, modules: modulesWithout(named, without) };
  // A scenario that needs a module the composition lacks is refused before anything starts.
  const cannot = refusal(comp, scenario);
  if (cannot) throw new Error(cannot);
  const core = comp.core;
  const clock = new VirtualClock();
  const events: SessionEvent[] = [];
  const emit = (kind: SessionEvent["kind"], text: string) => {
    const e: SessionEvent = { t: clock.now(), kind, text };
    events.push(e);
    if (opts.onEvent) opts.onEvent(e);
  };

  const refusals = scenario.smtp?.server?.refusals ?? [];
  const server = opts.smtp
    ? null
    : await MailServer.start({
        ...serverSettings(boardConfig(scenario, ""), scenario),
        refusals,
        dir: opts.mailDir,
        keepDir: true,
        // A message that arrives outside the module engine's transactions came over the module's
        // sockets (smtp.transport "socket"): stamped now, when the model holds the clock at the
        // moment its last byte left (deterministic, as the engine's stamps below).
        onMessage: () => {
          if (engineAt < 0) deliveredAt.push(clock.now());
        },
      });
  const config = boardConfig(scenario, server?.caPem ?? "");
  const target = opts.smtp ?? { host: server!.host, port: server!.port };
  if (server) emit("note", `embedded SMTP server on ${server.host}:${server.port} (${serverSettings(config, scenario).tls}), mail dir ${server.dir}`);
  else emit("note", `delivering to the outside SMTP server ${target.host}:${target.port}`);
  if (refusals.length > 0) {
    emit("note", server ? `the SMTP server refuses: ${refusals.map((r) => `${r.code} at ${r.stage.toUpperCase()}${r.times ? ` (${r.times}x)` : ""}`).join(", ")}` : "smtp.server.refusals need the embedded server: not applied");
  }

  const real = new NodemailerSmtpEngine({ hosts: { [SIM_SMTP_HOST]: target.host }, servername: "localhost", timeoutCapMs: SMTP_CAP_MS });
  // Virtual times of the deliveries, in the order of the server's messages: the module's SMTP
  // transactions that delivered (at their start), and messages over the module's sockets (on arrival).
  const deliveredAt: number[] = [];
  let engineAt = -1; // the start of the module engine's transaction in progress, -1 when none
  // The board is configured with a real-looking host and port; the simulated network routes them to the test server.
  const routed: SmtpEngine = {
    deliver: async (session, mail, timeoutMs, options) => {
      // Stamped when the transaction starts: deterministic (the clock is not held while it runs).
      const at = clock.now();
      engineAt = at;
      try {
        const o = await real.deliver(session.server.host === SIM_SMTP_HOST ? { ...session, server: { host: SIM_SMTP_HOST, port: target.port } } : session, mail, timeoutMs, options);
        if (o.err === 0) deliveredAt.push(at);
        return o;
      } finally {
        engineAt = -1;
      }
    },
  };

  let uart: Uart;
  let transcript: () => string;
  let moduleCounters = () => ({ reboots: 0, rxOverflow: 0, puts: 0 });
  let powerOn = () => undefined as void;
  let replayer: TranscriptReplayer | null = null;
  let sim: SimulatedModem | null = null;
  if (opts.replay !== undefined) {
    const link = new UartLink(clock, {});
    const recorder = new TranscriptRecorder(link);
    recorder.header.scenario = `replay of ${scenario.name}`;
    replayer = new TranscriptReplayer(clock, link, parseTranscript(opts.replay), "input");
    uart = link.uart;
    transcript = () => recorder.render();
    powerOn = () => replayer!.start();
  } else {
    // The module's sockets reach the same server by the same name as its SMTP engine (any port).
    const network = { routes: { [SIM_SMTP_HOST]: target }, servername: "localhost" };
    const m = createSimulatedModem({ clock, smtp: routed, scenario, modem: { network } });
    sim = m;
    uart = m.uart;
    transcript = () => m.transcript.render();
    moduleCounters = () => ({ reboots: m.modem.stats.reboots, rxOverflow: m.link.stats().rxOverflow, puts: m.modem.stats.puts });
    powerOn = () => m.powerOn();
  }

  // The board: its flash outlives every power cut; each power-on runs a new core on it.
  const flash = new Flash();
  const stack = { slots: opts.xsStackSlots, peak: -1 };
  const outcomes: JobOutcome[] = [];
  let life!: BoardLife;
  let firmware!: FirmwareHost;
  let lives = 0;
  /** Something changed for the alarm layer since its queue was last asked (a raise, a result, a restart). */
  let alarmWork = false;
  const boot = async (): Promise<void> => {
    const mine = new BoardLife(uart, clock, flash);
    life = mine;
    lives++;
    // A configuration the firmware refuses throws here: close the embedded server first, or
    // its listening socket keeps the process alive (the CLI hung after printing the error).
    firmware = await startFirmware(engine, named.name, {
      modules: comp.modules,
      uart: mine.uart,
      clock: mine.clock,
      store: mine.store,
      config,
      framing: opts.framing,
      log: (level, message) => {
        if (!mine.alive) return;
        if (level >= LOG_WARN) alarmWork = true; // a failure the runner sees no result of (a refused alarm mail)
        if (level > LOG_DEBUG) emit(level >= LOG_WARN ? "retry" : "state", message);
      },
      onOutcome: (o: JobOutcome) => {
        if (!mine.alive) return; // a dead board reports nothing
        outcomes.push(o);
        alarmWork = true;
        if (o.delivered && core === "compact") emit("result", `job ${o.id} delivered after ${o.attempts} run(s), ${o.commands} AT commands`);
        else if (o.delivered) emit("result", `job ${o.id} delivered after ${o.attempts} send(s), ${o.commands} AT commands${o.smtpRoundTrips ? `, ${o.smtpRoundTrips} SMTP round trips` : ""}`);
        else emit("result", `job ${o.id} failed: ${o.code} ${o.cause} [${causeName(o)}]`);
      },
    }, stack).catch(async (e: unknown) => {
      if (server) await server.close();
      throw e;
    });
  };
  await boot();

  // Power cuts (faults of kind powerCut): the board dies at once; the module too unless it keeps its own supply.
  const cuts = (scenario.faults ?? []).filter((f): f is PowerCutSpec => f.kind === "powerCut");
  let cutsDone = 0;
  let restarting = false;
  const powerCut = (f: PowerCutSpec, where: string) => {
    if (!life.alive) return;
    cutsDone++;
    life.cut();
    restarting = true;
    const old = firmware;
    emit("note", `board power cut ${where}${f.keepModule ? " (the module keeps its supply)" : ", the module loses power too"}; back in ${(f.offMs ?? DEFAULT_OFF_MS) / 1000} s`);
    if (sim) sim.link.boardPowerCut();
    if (!f.keepModule && sim) sim.modem.powerCut();
    // The dead core is released outside the instant of the cut (an XS worker may be inside a delivery now).
    clock.setTimer(0, () => old.kill());
    clock.setTimer(f.offMs ?? DEFAULT_OFF_MS, async () => {
      emit("note", "board power back: the core starts again on its Store");
      await boot();
      if (!f.keepModule && sim) sim.modem.powerOn();
      restarting = false;
      alarmWork = true;
    });
  };
  if (sim) {
    sim.modem.on((event, detail) => {
      const f = detail as PowerCutSpec | undefined;
      if (f && f.kind === "powerCut") powerCut(f, event.replace(/^board power cut /, ""));
    });
  }
  for (const f of cuts) {
    if (f.at === "storeWrite") {
      const at = typeof f.write === "number" ? f.write : f.write[named.name];
      if (at === undefined) {
        cutsDone++; // not planned for this composition
        continue;
      }
      const prev = flash.onWrite;
      flash.onWrite = (n) => {
        if (prev) prev(n);
        if (n === at) powerCut(f, `after Store write ${n}`);
      };
    } else if (f.at === "time") clock.setTimer(f.atMs, () => powerCut(f, `at ${f.atMs / 1000} s`));
  }
  // The work, with everything it started stopped if it fails half-way (an XS worker that
  // ran out of stack, for one): no server or worker outlives the session.
  let virtualMs = 0;
  let failedAlarms: { id: number; key: string; code: number; cause: string }[] = [];
  const jobs: JobSpec[] = [];
  let lostRaises = 0;
  const refused: { code: number; cause: string }[] = [];
  try {
    powerOn();

    // The work: direct mail jobs one after another, and alarms raised through the outbox.
    const fw = firmwareSection(scenario);
    if (fw.mail) jobs.push(jobOf("m1", fw.mail));
    (fw.more ?? []).forEach((m, i) => m && jobs.push(jobOf(`m${i + 2}`, m)));
    const plan = raisePlan(fw, jobs.length > 0);
    let raised = 0;
    alarmWork = plan.length > 0;
    const raiseNow = async (a: AlarmSpec) => {
      raised++;
      alarmWork = true;
      if (!life.alive) {
        lostRaises++;
        emit("note", `alarm "${a.title}" raised while the board has no power: lost`);
        return;
      }
      await firmware.raise(a);
    };
    let submitted = 0;
    const submitNext = async () => {
      const job = jobs[submitted++];
      emit("command", `submit mail job ${job.id}: "${job.subject}" to ${job.to.join(", ")}`);
      const r = await firmware.submit(job);
      if (r) {
        emit("result", `job ${job.id} refused: ${r.code} ${r.cause}${r.field ? ` (${r.field})` : ""}`);
        refused.push({ code: r.code, cause: r.cause });
      }
    };
    if (jobs.length > 0) await submitNext();
    const storm = plan.length > STORM_QUIET;
    if (storm) emit("command", `raise ${plan.length} alarms over ${(plan[plan.length - 1].atMs / 1000).toFixed(1)} s (${[...new Set(plan.map((p) => p.alarm.key))].join(", ")})`);
    for (const p of plan) {
      if (p.atMs === 0) {
        if (!storm) emit("command", `raise alarm "${p.alarm.title}"`);
        await raiseNow(p.alarm);
      } else clock.setTimer(p.atMs, () => raiseNow(p.alarm));
    }

    let alarmsIdle = plan.length === 0;
    let askedAt = -Infinity;
    const alarmsDone = () => {
      if (plan.length === 0) return true;
      if (raised < plan.length || restarting || !life.alive) return false;
      // Asked after every change the runner sees (a raise, a result), and every few virtual
      // seconds besides: an alarm can end without a result the runner sees (refused at once).
      if (alarmWork || clock.now() - askedAt >= PENDING_POLL_MS) {
        alarmWork = false;
        askedAt = clock.now();
        alarmsIdle = firmware.pendingAlarms() === 0;
      }
      return alarmsIdle;
    };
    const jobsEnded = () => new Set(outcomes.filter((o) => o.id.startsWith("m")).map((o) => o.id)).size + refused.length;
    const finished = () => jobsEnded() >= jobs.length && !restarting && alarmsDone();
    const limit = scenario.durationMs ?? DEFAULT_DURATION_MS;
    const started = clock.now();
    const nextDue = () => submitted < jobs.length && jobsEnded() >= submitted;
    while (!finished() && clock.now() - started < limit) {
      // A refused job ends at once (no outcome will come): submit the next one right away
      // instead of running the clock, which waited out the whole duration before.
      if (nextDue()) {
        await submitNext();
        continue;
      }
      await clock.run({ until: () => finished() || nextDue(), forMs: limit - (clock.now() - started) });
      if (!finished() && !nextDue()) break;
    }
    if (!finished()) emit("note", `the work did not end within ${limit / 1000} virtual s`);
    await clock.run({ forMs: SETTLE_MS });
    virtualMs = clock.now();

    failedAlarms = life.alive ? await firmware.failedAlarms() : [];
    if (life.alive) await firmware.stop();
    else firmware.kill();
  } catch (e) {
    if (life.alive) await firmware.stop().catch(() => undefined);
    else firmware.kill();
    if (server) await server.close();
    throw e;
  }
  let mails: ReceivedMail[] = [];
  if (server) {
    const wanted = deliveredAt.length;
    if (server.messages().length < wanted) await server.waitForMessages(wanted, 2000).catch(() => undefined);
    mails = server.messages();
    await server.close();
  }

  const counters = moduleCounters();
  const observed: Observed = {
    mails,
    outcomes,
    ...counters,
    deliveredAt,
    jobs,
    failedAlarms: failedAlarms.length,
    powerCuts: { planned: cuts.length, struck: cutsDone },
  };
  const expectFailures = opts.replay === undefined ? checkExpect(scenario, observed) : [];
  if (replayer && replayer.played < replayer.total) expectFailures.push(`replay: the firmware diverged; ${replayer.played} of ${replayer.total} recorded replies were played`);
  for (const f of failedAlarms) emit("result", `alarm ${f.id} (${f.key}) kept as failed: ${f.code} ${f.cause}`);
  if (lives > 1) emit("note", `the board started ${lives} times (${cutsDone} power cut(s)); ${lostRaises} raise(s) fell while it had no power`);

  // Failures count what failed for good: each direct job once (its last outcome), each alarm kept as failed once.
  const lastOfJob = new Map<string, JobOutcome>();
  for (const o of outcomes) if (o.id.startsWith("m")) lastOfJob.set(o.id, o);
  const failedJobs = [...lastOfJob.values()].filter((o) => !o.delivered);
  const errors = failedJobs
    .map((o) => ({ code: o.code, cause: o.cause }))
    .concat(refused)
    .concat(failedAlarms.map((f) => ({ code: f.code, cause: f.cause })));
  return {
    scenario: scenario.name,
    engine,
    composition: named.name,
    ok: expectFailures.length === 0 && (opts.replay === undefined || outcomes.length > 0),
    expectFailures,
    delivered: outcomes.filter((o) => o.delivered).length,
    failed: errors.length,
    mails: mails.map(arrived),
    errors,
    transcript: transcript(),
    events,
    virtualMs,
    ...(stack.slots !== undefined ? { xsStackPeak: stack.peak } : {}),
  };
}
