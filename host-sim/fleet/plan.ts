// A fleet scenario expanded into boards: each board's name, single-board scenario (the
// fleet's board scenario with the overlays that fell on it), configuration (sender,
// recipient, the provider's server settings), power-on time, clock skew and alarm raises,
// and the provider account that verifies the senders. Every random choice comes from the
// scenario's seed, so a plan, and therefore a run, is the same every time.
import { Rng } from "../uart/rng.js";
import { boardConfig, deepMerge, firmwareSection, serverSettings, SIM_USER } from "../runner/config.js";
import type { Scenario } from "../scenarios/scenario.js";
import type { TlsMode } from "../mailserver/server.js";
import { providerProfile } from "../mailserver/providers/index.js";
import type { ProviderAccount, ProviderProfile } from "../mailserver/providers/types.js";
import { boardScenario, providerOf, type AddressPlan, type FleetScenario } from "./scenario.js";

export interface Raise {
  atMs: number;
  key: string;
  title: string;
  text: string;
}

export interface BoardPlan {
  index: number;
  name: string;
  scenario: Scenario;
  /** Raw configuration (validated by the board's core). */
  config: Record<string, unknown>;
  sender: string;
  recipient: string;
  powerOnAt: number;
  skewMs: number;
  /** Labels of the overlays this board got. */
  overlays: string[];
  raises: Raise[];
}

export interface FleetPlan {
  scenario: FleetScenario;
  profile: ProviderProfile;
  account: ProviderAccount;
  boards: BoardPlan[];
  /** The `open` profile's server: TLS and AUTH as `cellmail sim` sets them up for the board scenario. */
  openTls: TlsMode;
  openAuth?: { user: string; password: string };
}

/** The module's default network time (docs/scenarios.md) when a board scenario sets none. */
const NETWORK_TIME_MS = Date.UTC(2026, 10, 23);

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Indices of `share` of `n` boards, chosen with the seed (a partial shuffle). */
function pickShare(n: number, share: number, rng: Rng): Set<number> {
  const k = Math.round(n * share);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return new Set(idx.slice(0, k));
}

/** The address board i uses under a plan: shared, its own, or one of a pool. */
function addressFor(plan: AddressPlan | undefined, i: number, shared: string, own: (k: number) => string): string {
  if (plan === undefined || plan === "shared") return shared;
  if (plan === "per-board") return own(i);
  return own(i % plan.pool);
}

function local(addr: string): string {
  return addr.slice(0, addr.lastIndexOf("@"));
}
function domain(addr: string): string {
  return addr.slice(addr.lastIndexOf("@") + 1);
}

export function planFleet(f: FleetScenario, scenarioDir?: string): FleetPlan {
  const base = boardScenario(f, scenarioDir);
  const provider = providerOf(f);
  const profile = providerProfile(provider.name, provider.options);
  const seed = f.seed ?? 1;
  const rng = new Rng(seed);
  const n = f.boards;
  const width = Math.max(3, String(n).length);
  const baseConfig = boardConfig(base, "");
  const baseName = f.namePrefix ?? String(baseConfig.board ?? "board");
  const baseSender = String((baseConfig.sender as Record<string, unknown> | undefined)?.address ?? SIM_USER);
  const baseRecipient = String(((baseConfig.recipients as Record<string, unknown>).to as string[])[0]);
  const perDomain = f.sendersPerDomain ?? profile.sendersPerDomain ?? Infinity;
  const ownSender = (k: number) => `${local(baseSender)}-${pad(k + 1, width)}@${perDomain === Infinity ? domain(baseSender) : `site${Math.floor(k / perDomain) + 1}.${domain(baseSender)}`}`;
  const ownRecipient = (k: number) => `${local(baseRecipient)}-${pad(k + 1, width)}@${domain(baseRecipient)}`;
  const alarm = (firmwareSection(base).alarm ?? { key: "alarm", title: "Alarm" }) as { key: string; title: string; text?: string };
  const a = f.alarms;
  const key = a.key ?? alarm.key;
  const title = a.title ?? alarm.title;
  const text = alarm.text ?? "";

  // Overlays first, each with its own stream, so adding a board elsewhere does not reshuffle them.
  const overlaysOf: { label: string; o: NonNullable<FleetScenario["overlays"]>[number] }[][] = Array.from({ length: n }, () => []);
  (f.overlays ?? []).forEach((o, i) => {
    for (const b of pickShare(n, o.share, new Rng(seed * 7919 + i + 1))) overlaysOf[b].push({ label: o.label ?? `overlay ${i + 1}`, o });
  });

  const boards: BoardPlan[] = [];
  const senders = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const name = n === 1 && f.namePrefix === undefined ? baseName : `${baseName}-${pad(i + 1, width)}`;
    const powerOnAt = f.powerOnWithinMs ? Math.floor(rng.next() * f.powerOnWithinMs) : 0;
    const skewMs = f.clockSkewMs ? Math.floor(rng.next() * f.clockSkewMs) : 0;
    const raises = raisesOf(f, i, n, rng, key, title, text);
    let scenario: Scenario = base;
    if (overlaysOf[i].length > 0 || skewMs > 0) {
      scenario = { ...base, module: { ...(base.module ?? {}) }, link: base.link ? { ...base.link } : undefined, faults: [...(base.faults ?? [])] };
      for (const { o } of overlaysOf[i]) {
        if (o.module) scenario.module = deepMerge(scenario.module as Record<string, unknown>, o.module as Record<string, unknown>) as Scenario["module"];
        if (o.link) scenario.link = deepMerge((scenario.link ?? {}) as Record<string, unknown>, o.link as Record<string, unknown>) as Scenario["link"];
        if (o.faults) scenario.faults = [...(scenario.faults ?? []), ...o.faults];
      }
      if (skewMs > 0) scenario.module = { ...scenario.module, networkTimeMs: (scenario.module?.networkTimeMs ?? NETWORK_TIME_MS) + skewMs };
    }
    const sender = addressFor(f.senders, i, baseSender, ownSender);
    const recipient = addressFor(f.recipients, i, baseRecipient, ownRecipient);
    const password = `smtp-${local(sender)}-${domain(sender)}`.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 40);
    senders.set(sender, password);
    boards.push({
      index: i,
      name,
      scenario,
      config: boardConfigFor(baseConfig, profile, name, sender, recipient, password),
      sender,
      recipient,
      powerOnAt,
      skewMs,
      overlays: overlaysOf[i].map((x) => x.label),
      raises,
    });
  }
  const account: ProviderAccount = {
    senders: [...senders].map(([address, password]) =>
      profile.name === "amazon" ? { address, user: AMAZON_USER, password: AMAZON_PASSWORD } : { address, user: address, password },
    ),
  };
  const open = serverSettings(baseConfig, base);
  return { scenario: f, profile, account, boards, openTls: open.tls, openAuth: open.auth };
}

/** Amazon SES: one SMTP credential per region for every verified identity. */
const AMAZON_USER = "AKIASIMULATEDFLEET01";
const AMAZON_PASSWORD = "fleet-ses-smtp-secret";

function boardConfigFor(base: Record<string, unknown>, profile: ProviderProfile, name: string, sender: string, recipient: string, password: string): Record<string, unknown> {
  const over: Record<string, unknown> = { board: name, recipients: { to: [recipient] } };
  const senderName = isObj(base.sender) && typeof base.sender.name === "string" ? base.sender.name : name;
  if (profile.name === "tencent") {
    over.smtp = { provider: "tencent", region: "hongkong", port: 465, user: sender, password, ssl: { type: 1, verify: false } };
  } else if (profile.name === "amazon") {
    over.smtp = { provider: "amazon", region: "eu-west-1", port: 465, user: AMAZON_USER, password: AMAZON_PASSWORD, ssl: { type: 1, verify: false } };
  }
  const out = deepMerge(base, over);
  if (over.smtp) out.smtp = over.smtp; // a provider's server settings replace the board scenario's generic ones
  out.sender = { name: senderName, address: sender };
  return out;
}

function raisesOf(f: FleetScenario, i: number, n: number, rng: Rng, key: string, title: string, text: string): Raise[] {
  const a = f.alarms;
  const times: number[] = [];
  const titles: (string | undefined)[] = [];
  const keys: (string | undefined)[] = [];
  const series = (start: number, count: number, gap: number) => {
    for (let k = 0; k < count; k++) times.push(start + k * gap);
  };
  if (a.pattern === "storm") series(Math.floor(rng.next() * a.withinMs), a.perBoard ?? 1, a.gapMs ?? 1000);
  else if (a.pattern === "rolling") {
    const group = Math.floor((i * a.groups) / n);
    series(group * a.stepMs + Math.floor(rng.next() * a.withinMs), a.perBoard ?? 1, a.gapMs ?? 1000);
  } else if (a.pattern === "trickle") {
    for (let k = 0; k < a.perBoard; k++) times.push(Math.floor(rng.next() * a.overMs));
    times.sort((x, y) => x - y);
  } else {
    for (const r of a.raises) {
      if (r.board !== i) continue;
      times.push(r.atMs);
      keys.push(r.key);
      titles.push(r.title);
    }
  }
  const single = times.length === 1;
  return times.map((atMs, k) => ({
    atMs,
    key: keys[k] ?? (a.sameKey || single ? key : `${key}-${k + 1}`),
    title: titles[k] ?? (single ? title : `${title} #${k + 1}`),
    text,
  }));
}
