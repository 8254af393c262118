// One simulated session, end to end: the embedded SMTP server (or an outside one), the
// module's real SMTP engine, the EC800 model with the scenario's faults, and the
// firmware core (in Node or in real XS), all on one virtual clock. The firmware gets
// the scenario's work (a mail job, an alarm), the session runs until that work has
// ended, and the scenario's `expect` is checked against what the server received.
import { VirtualClock } from "../clock.js";
import { createSimulatedModem } from "../index.js";
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
import { checkExpect } from "./expect.js";
import { causeName } from "./causes.js";
import type { FirmwareHost, FirmwareStartOptions, JobOutcome, JobSpec, ProfileName } from "./firmware.js";
import { NodeFirmware } from "./node-firmware.js";
import { CompactFirmware } from "./compact-firmware.js";
import { appliesTo } from "../scenarios/scenario.js";
import type { ArrivedMail, RunSessionOptions, SessionEvent, SessionResult } from "./types.js";

/** Virtual time a session may take when the scenario does not say (one hour). */
const DEFAULT_DURATION_MS = 3_600_000;
/** After the work ends, keep running this long so late or duplicate URCs and clean-up show. */
const SETTLE_MS = 5_000;
/** Real-time cap on one SMTP transaction (a silent server must not stall a test for 300 s). */
const SMTP_CAP_MS = 15_000;

export interface SessionOptions extends RunSessionOptions {
  /** Play the module's side from this recorded transcript instead of the EC800 model. */
  replay?: string;
}

/** The XS engine is loaded on demand: it needs a child process and a bundle. */
async function startFirmware(engine: "node" | "xs", profile: ProfileName, o: FirmwareStartOptions): Promise<FirmwareHost> {
  if (engine === "node") return profile === "compact" ? new CompactFirmware(o) : new NodeFirmware(o);
  const { startXsFirmware } = await import("../xs/firmware.js");
  return startXsFirmware(o, {}, profile);
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
    size: m.raw.length,
    eml: m.emlPath,
  };
}

export async function runSession(opts: SessionOptions): Promise<SessionResult> {
  const scenario = opts.scenario;
  const engine = opts.engine ?? "node";
  const profile = opts.profile ?? "full";
  if (profile !== "full" && profile !== "compact") throw new Error(`unknown profile ${JSON.stringify(profile)} (expected full or compact)`);
  if (!appliesTo(scenario, profile)) {
    throw new Error(`scenario ${scenario.name} does not apply to the ${profile} profile (profiles: ${(scenario.profiles ?? []).join(", ")})${scenario.profilesNote ? `: ${scenario.profilesNote}` : ""}`);
  }
  const clock = new VirtualClock();
  const events: SessionEvent[] = [];
  const emit = (kind: SessionEvent["kind"], text: string) => {
    const e: SessionEvent = { t: clock.now(), kind, text };
    events.push(e);
    if (opts.onEvent) opts.onEvent(e);
  };

  const server = opts.smtp ? null : await MailServer.start({ ...serverSettings(boardConfig(scenario, ""), scenario), dir: opts.mailDir, keepDir: true });
  const config = boardConfig(scenario, server?.caPem ?? "");
  const target = opts.smtp ?? { host: server!.host, port: server!.port };
  if (server) emit("note", `embedded SMTP server on ${server.host}:${server.port} (${serverSettings(config, scenario).tls}), mail dir ${server.dir}`);
  else emit("note", `delivering to the outside SMTP server ${target.host}:${target.port}`);

  const real = new NodemailerSmtpEngine({ hosts: { [SIM_SMTP_HOST]: target.host }, servername: "localhost", timeoutCapMs: SMTP_CAP_MS });
  // The board is configured with a real-looking host and port; the simulated network routes them to the test server.
  const routed: SmtpEngine = {
    deliver: (session, mail, timeoutMs, options) =>
      real.deliver(session.server.host === SIM_SMTP_HOST ? { ...session, server: { host: SIM_SMTP_HOST, port: target.port } } : session, mail, timeoutMs, options),
  };

  let uart: Uart;
  let transcript: () => string;
  let moduleCounters = () => ({ reboots: 0, rxOverflow: 0 });
  let powerOn = () => undefined as void;
  let replayer: TranscriptReplayer | null = null;
  if (opts.replay !== undefined) {
    const link = new UartLink(clock, {});
    const recorder = new TranscriptRecorder(link);
    recorder.header.scenario = `replay of ${scenario.name}`;
    replayer = new TranscriptReplayer(clock, link, parseTranscript(opts.replay), "input");
    uart = link.uart;
    transcript = () => recorder.render();
    powerOn = () => replayer!.start();
  } else {
    const sim = createSimulatedModem({ clock, smtp: routed, scenario });
    uart = sim.uart;
    transcript = () => sim.transcript.render();
    moduleCounters = () => ({ reboots: sim.modem.stats.reboots, rxOverflow: sim.link.stats().rxOverflow });
    powerOn = () => sim.powerOn();
  }

  // A configuration the firmware refuses throws here: close the embedded server first, or
  // its listening socket keeps the process alive (the CLI hung after printing the error).
  const firmware = await startFirmware(engine, profile, {
    uart,
    clock,
    config,
    log: (level, message) => {
      if (level > LOG_DEBUG) emit(level >= LOG_WARN ? "retry" : "state", message);
    },
    onOutcome: (o: JobOutcome) => {
      if (o.delivered && profile === "compact") emit("result", `job ${o.id} delivered after ${o.attempts} run(s), ${o.commands} AT commands`);
      else if (o.delivered) emit("result", `job ${o.id} delivered after ${o.attempts} send(s), ${o.commands} AT commands`);
      else emit("result", `job ${o.id} failed: ${o.code} ${o.cause} [${causeName(o)}]`);
    },
  }).catch(async (e: unknown) => {
    if (server) await server.close();
    throw e;
  });
  powerOn();

  // The work: direct mail jobs one after another, and/or an alarm through the outbox.
  const fw = firmwareSection(scenario);
  const jobs: JobSpec[] = [];
  if (fw.mail) jobs.push(jobOf("m1", fw.mail));
  (fw.more ?? []).forEach((m, i) => m && jobs.push(jobOf(`m${i + 2}`, m)));
  const alarm = fw.alarm ?? (jobs.length === 0 ? { key: "demo", title: "Water leak in the pump room", text: "Leak sensor 1 is wet." } : undefined);
  let submitted = 0;
  const refusals: { code: number; cause: string }[] = [];
  const submitNext = async () => {
    const job = jobs[submitted++];
    emit("command", `submit mail job ${job.id}: "${job.subject}" to ${job.to.join(", ")}`);
    const refused = await firmware.submit(job);
    if (refused) {
      emit("result", `job ${job.id} refused: ${refused.code} ${refused.cause}${refused.field ? ` (${refused.field})` : ""}`);
      refusals.push({ code: refused.code, cause: refused.cause });
    }
  };
  if (jobs.length > 0) await submitNext();
  if (alarm) {
    emit("command", `raise alarm "${alarm.title}"`);
    await firmware.raise(alarm);
  }

  const alarmEnded = () => firmware.outcomes().some((o) => o.id.startsWith("a") && (o.delivered || o.kind === 1 || o.kind === 2));
  const jobsEnded = () => firmware.outcomes().filter((o) => o.id.startsWith("m")).length + refusals.length;
  const finished = () => jobsEnded() >= jobs.length && (!alarm || alarmEnded());
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
  const virtualMs = clock.now();

  const outcomes = firmware.outcomes();
  const failedAlarms = await firmware.failedAlarms();
  await firmware.stop();
  let mails: ReceivedMail[] = [];
  if (server) {
    const wanted = outcomes.filter((o) => o.delivered).length;
    if (server.messages().length < wanted) await server.waitForMessages(wanted, 2000).catch(() => undefined);
    mails = server.messages();
    await server.close();
  }

  const counters = moduleCounters();
  const expectFailures = opts.replay === undefined ? checkExpect(scenario, { mails, outcomes, ...counters }, profile) : [];
  if (replayer && replayer.played < replayer.total) expectFailures.push(`replay: the firmware diverged; ${replayer.played} of ${replayer.total} recorded replies were played`);
  for (const f of failedAlarms) emit("result", `alarm ${f.id} (${f.key}) kept as failed: ${f.code} ${f.cause}`);

  return {
    scenario: scenario.name,
    engine,
    profile,
    ok: expectFailures.length === 0 && (opts.replay === undefined || outcomes.length > 0),
    expectFailures,
    delivered: outcomes.filter((o) => o.delivered).length,
    failed: outcomes.filter((o) => !o.delivered).length + refusals.length,
    mails: mails.map(arrived),
    errors: outcomes.filter((o) => !o.delivered).map((o) => ({ code: o.code, cause: o.cause })).concat(refusals),
    transcript: transcript(),
    events,
    virtualMs,
  };
}
