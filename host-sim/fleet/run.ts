// Runs a fleet: N boards (each its own EC800 model, link, core, flash and clock skew) on one
// virtual clock against one provider account, until every alarm raised has been delivered
// or is kept by its board as failed, or the scenario's time is up. Then it accounts for
// every raise (account.ts) and checks the scenario's `expect`.
//
// One board's run is the scenario runner's run (runner/session.ts): the same module, link,
// core and order of start-up (core, power-on, raise), the same end (5 s after the work is
// done), so a fleet of one board gives the transcript `cellmail sim` gives.
import { VirtualClock } from "../clock.js";
import type { ReceivedMail } from "../mailserver/server.js";
import type { ProviderName } from "../mailserver/providers/types.js";
import { composition as compositionNamed, DEFAULT_COMPOSITION, refusal, type CompositionName } from "../runner/compositions.js";
import { accountBoard, cumulative, histogram, parseAlarmMail, percentile } from "./account.js";
import { FleetBoard } from "./board.js";
import { startFleetNetwork } from "./network.js";
import { planFleet, type FleetPlan } from "./plan.js";
import { providerOf, type FleetScenario } from "./scenario.js";

/** After the work ends, keep running this long (late URCs, clean-up), as the scenario runner does. */
const SETTLE_MS = 5_000;
const DEFAULT_DURATION_MS = 24 * 3_600_000;

export interface FleetRunOptions {
  scenario: FleetScenario;
  /** Directory a relative `board` path is taken from. */
  scenarioDir?: string;
  /** Override the scenario's board count and provider (the CLI's --boards, --provider). */
  boards?: number;
  provider?: ProviderName;
  /** Override the scenario's composition (the CLI's --composition). */
  composition?: CompositionName;
  /** Where the provider stores .eml files (default: a temp dir, removed at the end). */
  mailDir?: string;
  /** Keep every board's UART transcript in the result (default: fleets of up to 50 boards). */
  transcripts?: boolean;
  /** Told every `progressEveryMs` of virtual time (default 10 min). */
  onProgress?: (p: { virtualMs: number; raised: number; delivered: number; refusals: number }) => void;
  progressEveryMs?: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface FleetBoardSummary {
  name: string;
  sender: string;
  recipient: string;
  overlays: string[];
  raised: number;
  delivered: number;
  duplicates: number;
  queued: number;
  failed: number;
  lost: number;
  inOrder: boolean;
  /** Virtual seconds from its first raise to its last delivery. */
  maxLatency: number;
  jobsFailed: number;
  warnings: number;
  transcript?: string;
}

export interface FleetResult {
  scenario: string;
  provider: ProviderName;
  composition: CompositionName;
  boards: number;
  seed: number;
  /** Alarms raised (raise calls), delivered (raises a delivered mail stands for), mails that arrived, duplicates. */
  raised: number;
  delivered: number;
  mails: number;
  duplicates: number;
  /** Alarms still queued at the end, kept as failed by their board, and lost (must be 0). */
  queued: number;
  failed: number;
  lost: number;
  /** Boards whose mails arrived out of raise order. */
  outOfOrder: number;
  /** Alarm to inbox, virtual seconds. */
  latency: LatencySummary;
  /** The provider's refusals by SMTP code and by rule, and per delivered mail. */
  refusals: Record<string, number>;
  refusalsByRule: Record<string, number>;
  refusalsPerDelivered: number;
  /** Virtual seconds from the first raise to the last delivery. */
  drainSeconds: number;
  virtualSeconds: number;
  wallSeconds: number;
  peakRssMB: number;
  /** The run ended before every alarm was out (the scenario's time was up). */
  timedOut: boolean;
  ok: boolean;
  expectFailures: string[];
  /** For the page: cumulative raises and deliveries, refusals over time, the latency histogram (seconds). */
  series: {
    raised: [number, number][];
    delivered: [number, number][];
    refused: number[];
    latencyHistogram: { from: number; to: number; count: number }[];
  };
  perBoard: FleetBoardSummary[];
  /** Provider rules in force (for the page and the docs). */
  rules: { id: string; what: string; code: number }[];
  mailDir?: string;
}

/** The scenario with the CLI's overrides applied. */
export function withOverrides(s: FleetScenario, o: { boards?: number; provider?: ProviderName; composition?: CompositionName }): FleetScenario {
  const out = { ...s };
  if (o.boards !== undefined) out.boards = o.boards;
  if (o.provider !== undefined) out.provider = typeof s.provider === "object" && s.provider.name === o.provider ? s.provider : o.provider;
  if (o.composition !== undefined) out.composition = o.composition;
  return out;
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function runFleet(opts: FleetRunOptions): Promise<FleetResult> {
  const wallStart = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    const r = process.memoryUsage().rss;
    if (r > peakRss) peakRss = r;
  }, 100);
  const scenario = withOverrides(opts.scenario, opts);
  const comp = compositionNamed(scenario.composition ?? DEFAULT_COMPOSITION);
  const plan: FleetPlan = planFleet(scenario, opts.scenarioDir);
  // As runSession: a board scenario that needs a module the composition lacks is refused before anything starts.
  for (const b of plan.boards) {
    const refused = refusal(comp, b.scenario);
    if (refused) {
      clearInterval(sampler);
      throw new Error(`board ${b.name}: ${refused}`);
    }
  }
  const clock = new VirtualClock();
  const boards = plan.boards.map((p) => new FleetBoard(p));
  const byName = new Map(boards.map((b) => [b.plan.name, b]));
  const orphans: string[] = [];

  const onMessage = (m: ReceivedMail) => {
    const board = byName.get(/^\[([^\]]+)\]/.exec(m.subject)?.[1] ?? "");
    const parsed = parseAlarmMail(m.text);
    if (!board || !parsed) {
      orphans.push(m.subject);
      return;
    }
    board.mails.push({ ...parsed, at: m.at ?? clock.now() });
  };
  const net = await startFleetNetwork(plan, clock, onMessage, opts.mailDir);

  // Work still to do: raises not yet made, and boards whose outbox is not empty.
  let raisesLeft = plan.boards.reduce((n, b) => n + b.raises.length, 0);
  const busy = new Set<FleetBoard>();
  let done = raisesLeft === 0;
  const recheck = (b: FleetBoard) => {
    if (b.pending() === 0) busy.delete(b);
    done = raisesLeft === 0 && busy.size === 0;
  };
  // Checked on a fresh timer: the core updates its outbox after it reports the job.
  const armed = new Set<FleetBoard>();
  const onOutcome = (b: FleetBoard) => {
    if (armed.has(b)) return;
    armed.add(b);
    clock.setTimer(0, () => {
      armed.delete(b);
      recheck(b);
    });
  };

  try {
    for (const b of boards) {
      const boot = () => {
        b.start(clock, net.engine, comp, onOutcome);
        for (const r of b.plan.raises) {
          const raise = () => {
            b.raise(r.key, r.title, r.text);
            raisesLeft--;
            busy.add(b);
            done = false;
          };
          if (r.atMs <= b.plan.powerOnAt) raise();
          else clock.setTimer(r.atMs - b.plan.powerOnAt, raise);
        }
      };
      if (b.plan.powerOnAt === 0) boot();
      else clock.setTimer(b.plan.powerOnAt, boot);
    }
    if (opts.onProgress) {
      const every = opts.progressEveryMs ?? 600_000;
      const tick = () => {
        if (done) return;
        let raised = 0;
        let delivered = 0;
        for (const b of boards) {
          raised += b.raised;
          delivered += b.mails.length;
        }
        opts.onProgress!({ virtualMs: clock.now(), raised, delivered, refusals: net.provider.policy.refusals.length });
        clock.setTimer(every, tick);
      };
      clock.setTimer(every, tick);
    }
    const limit = scenario.durationMs ?? DEFAULT_DURATION_MS;
    await clock.run({ until: () => done, forMs: limit });
    const timedOut = !done;
    await clock.run({ forMs: SETTLE_MS });
    const virtualMs = clock.now();
    for (const b of boards) await b.stop();
    return summarize({ plan, boards, composition: comp.name, net, virtualMs, timedOut, orphans, keepTranscripts: opts.transcripts ?? boards.length <= 50, wallStart, peakRss: () => peakRss });
  } finally {
    clearInterval(sampler);
    await net.close();
  }
}

interface SummaryInput {
  plan: FleetPlan;
  boards: FleetBoard[];
  composition: CompositionName;
  net: Awaited<ReturnType<typeof startFleetNetwork>>;
  virtualMs: number;
  timedOut: boolean;
  orphans: string[];
  keepTranscripts: boolean;
  wallStart: number;
  peakRss: () => number;
}

function summarize(x: SummaryInput): FleetResult {
  const f = x.plan.scenario;
  const perBoard: FleetBoardSummary[] = [];
  const latencies: number[] = [];
  const raisedAt: number[] = [];
  const deliveredAt: number[] = [];
  const totals = { raised: 0, delivered: 0, mails: 0, duplicates: 0, queued: 0, failed: 0, lost: 0, outOfOrder: 0 };
  for (const b of x.boards) {
    const a = accountBoard(b.plan.raises, b.raised, b.mails, b.started ? b.outbox() : { queued: [], failed: [] });
    for (const r of b.plan.raises.slice(0, b.raised)) raisedAt.push(r.atMs);
    latencies.push(...a.latencies);
    deliveredAt.push(...a.deliveredAt);
    totals.raised += a.raised;
    totals.delivered += a.delivered;
    totals.mails += a.mails;
    totals.duplicates += a.duplicates;
    totals.queued += a.queued;
    totals.failed += a.failed;
    totals.lost += a.lost;
    if (!a.inOrder) totals.outOfOrder++;
    perBoard.push({
      name: b.plan.name,
      sender: b.plan.sender,
      recipient: b.plan.recipient,
      overlays: b.plan.overlays,
      raised: a.raised,
      delivered: a.delivered,
      duplicates: a.duplicates,
      queued: a.queued,
      failed: a.failed,
      lost: a.lost,
      inOrder: a.inOrder,
      maxLatency: round(a.latencies.reduce((m, v) => Math.max(m, v), 0) / 1000),
      jobsFailed: b.jobsFailed,
      warnings: b.warnings,
      transcript: x.keepTranscripts && b.started ? b.transcript() : undefined,
    });
  }
  const sorted = latencies.map((v) => v / 1000).sort((p, q) => p - q);
  const latency: LatencySummary = {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : NaN),
    mean: round(sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : NaN),
  };
  const policy = x.net.provider.policy;
  const refusedTimes = policy.refusals.map((r) => r.at);
  const firstRaise = raisedAt.length ? Math.min(...raisedAt) : 0;
  const lastDelivery = deliveredAt.length ? Math.max(...deliveredAt) : firstRaise;
  const result: FleetResult = {
    scenario: f.name,
    provider: providerOf(f).name,
    composition: x.composition,
    boards: x.boards.length,
    seed: f.seed ?? 1,
    ...totals,
    latency,
    refusals: policy.refusalsByCode(),
    refusalsByRule: policy.refusalsByRule(),
    refusalsPerDelivered: round(totals.mails > 0 ? policy.refusals.length / totals.mails : policy.refusals.length, 2),
    drainSeconds: round((lastDelivery - firstRaise) / 1000),
    virtualSeconds: round(x.virtualMs / 1000),
    wallSeconds: round((performance.now() - x.wallStart) / 1000, 2),
    peakRssMB: Math.round(x.peakRss() / 1e6),
    timedOut: x.timedOut,
    ok: true,
    expectFailures: [],
    series: {
      raised: cumulative(raisedAt),
      delivered: cumulative(deliveredAt),
      refused: refusedTimes,
      latencyHistogram: histogram(sorted, 30),
    },
    perBoard,
    rules: x.plan.profile.rules.map((r) => ({ id: r.id, what: r.what, code: r.reply.code })),
    mailDir: x.net.provider.dir,
  };
  result.expectFailures = checkFleetExpect(f, result, x.orphans);
  result.ok = result.expectFailures.length === 0;
  return result;
}

/** The scenario's `expect` (defaults: nothing lost, queued, failed or duplicated; every board in order). */
export function checkFleetExpect(f: FleetScenario, r: FleetResult, orphans: string[] = []): string[] {
  const e = f.expect ?? {};
  const out: string[] = [];
  const atMost = (what: string, n: number, max: number) => {
    if (n > max) out.push(`${what}: ${n}, at most ${max} expected`);
  };
  atMost("alarms lost", r.lost, e.maxLost ?? 0);
  atMost("duplicate mails", r.duplicates, e.maxDuplicates ?? 0);
  atMost("alarms still queued", r.queued, e.maxQueued ?? 0);
  atMost("alarms kept as failed", r.failed, e.maxFailed ?? 0);
  if ((e.inOrder ?? true) && r.outOfOrder > 0) out.push(`${r.outOfOrder} board(s) delivered out of raise order`);
  if (e.maxRefusalsPerDelivered !== undefined) atMost("refusals per delivered mail", r.refusalsPerDelivered, e.maxRefusalsPerDelivered);
  if (orphans.length > 0) out.push(`${orphans.length} mail(s) arrived that no board of the fleet sent (${orphans.slice(0, 3).join("; ")})`);
  if (r.raised !== r.delivered + r.queued + r.failed + r.lost) out.push("accounting: raised != delivered + queued + failed + lost");
  return out;
}
