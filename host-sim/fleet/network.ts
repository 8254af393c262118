// The fleet's network: the provider's mail servers (one per port it listens on, one rule
// engine and one account behind them) and the module side's SMTP engine every board
// shares. Every host name a board is configured with resolves to loopback; the port
// decides which listener answers, and a port the provider does not serve refuses the
// connection. Transactions take tickets (mailserver/providers/tickets.ts), so the
// provider decides them in the order the boards started them, on the virtual clock.
import { defaultResolve, NodemailerSmtpEngine } from "../smtp/engine.js";
import type { SmtpEngine } from "../smtp/types.js";
import type { VirtualClock } from "../clock.js";
import type { ReceivedMail } from "../mailserver/server.js";
import { startProvider, Tickets, ticketedEngine, type ProviderServers } from "../mailserver/providers/index.js";
import type { FleetPlan } from "./plan.js";

/** Real-time cap on one SMTP transaction, as in the scenario runner. */
const SMTP_CAP_MS = 15_000;

export interface FleetNetwork {
  provider: ProviderServers;
  tickets: Tickets;
  /** The module engine the boards' EC800 models use. */
  engine: SmtpEngine;
  close(): Promise<void>;
}

export async function startFleetNetwork(plan: FleetPlan, clock: VirtualClock, onMessage: (m: ReceivedMail) => void, mailDir?: string): Promise<FleetNetwork> {
  const tickets = new Tickets();
  const provider = await startProvider({
    profile: plan.profile,
    account: plan.account,
    now: () => clock.now(),
    tickets,
    open: { tls: plan.openTls, auth: plan.openAuth },
    dir: mailDir,
    onMessage,
    retain: false,
  });
  // Every name resolves to the provider, but the special ones of RFC 6761 (".invalid" never resolves).
  const resolve = async (host: string) => (/(^|\.)(invalid|localhost)\.?$/i.test(host) ? defaultResolve(host) : "127.0.0.1");
  const real = new NodemailerSmtpEngine({ resolve, servername: "localhost", timeoutCapMs: SMTP_CAP_MS });
  const routed: SmtpEngine = {
    deliver: (session, mail, timeoutMs, options) =>
      real.deliver({ ...session, server: { host: session.server.host, port: provider.portFor(session.server.port) ?? provider.closedPort } }, mail, timeoutMs, options),
  };
  return { provider, tickets, engine: ticketedEngine(routed, tickets, () => clock.now()), close: () => provider.close() };
}
