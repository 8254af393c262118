// Provider profiles for the embedded mail server: `tencent`, `amazon` and `open` (no rules),
// and `startProvider`, which starts one MailServer per port the provider listens on, all
// sharing one rule engine and one account, as a provider's front doors share one account.
import os from "node:os";
import path from "node:path";
import { promises as fsp } from "node:fs";
import { MailServer, type ReceivedMail, type TlsMode } from "../server.js";
import { makeServerCredentials } from "../certs.js";
import { refusedPort } from "../raw.js";
import { amazonProfile, type AmazonOptions } from "./amazon.js";
import { openProfile } from "./open.js";
import { ProviderPolicy } from "./policy.js";
import { tencentProfile, type TencentOptions } from "./tencent.js";
import type { Tickets } from "./tickets.js";
import type { ProviderAccount, ProviderName, ProviderProfile } from "./types.js";

export const PROVIDER_NAMES: readonly ProviderName[] = ["tencent", "amazon", "open"];

/** Limits a scenario may set for its provider (documented defaults otherwise). */
export type ProviderOptions = TencentOptions & AmazonOptions;

export function providerProfile(name: ProviderName, options: ProviderOptions = {}): ProviderProfile {
  if (name === "tencent") return tencentProfile(options);
  if (name === "amazon") return amazonProfile(options);
  if (name === "open") return openProfile();
  throw new Error(`unknown provider ${JSON.stringify(name)} (expected ${PROVIDER_NAMES.join(", ")})`);
}

export interface StartProviderOptions {
  profile: ProviderProfile;
  account: ProviderAccount;
  /** Virtual time of decisions without a ticket. */
  now: () => number;
  tickets?: Tickets;
  /** The `open` profile's single listener: the board's TLS mode and AUTH, as `cellmail sim` runs it. */
  open?: { tls: TlsMode; auth?: { user: string; password: string } };
  /** Where .eml files go (default: a new temp dir, removed by close()). */
  dir?: string;
  onMessage?: (m: ReceivedMail) => void;
  retain?: boolean;
}

export interface ProviderServers {
  policy: ProviderPolicy;
  /** The real port serving a port the boards are configured for; undefined when the provider does not listen there. */
  portFor(configuredPort: number): number | undefined;
  /** A loopback port that refuses connections (where unserved ports lead). */
  closedPort: number;
  servers: MailServer[];
  dir: string;
  close(): Promise<void>;
}

export async function startProvider(o: StartProviderOptions): Promise<ProviderServers> {
  const policy = new ProviderPolicy({ profile: o.profile, account: o.account, now: o.now, tickets: o.tickets });
  const ownsDir = !o.dir;
  const dir = o.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), "cellmail-fleet-")));
  const common = { policy, dir, keepDir: true, onMessage: o.onMessage, retain: o.retain, greetAtOnce: true };
  const servers: MailServer[] = [];
  const ports = new Map<number, number>();
  let any: MailServer | undefined;
  if (o.profile.listeners.length === 0) {
    const open = o.open ?? { tls: "implicit" as TlsMode };
    any = await MailServer.start({ ...common, tls: open.tls, auth: open.auth });
    servers.push(any);
  } else {
    const credentials = await makeServerCredentials();
    const byMode = new Map<string, MailServer>();
    for (const l of o.profile.listeners) {
      let s = byMode.get(l.tls);
      if (!s) {
        s = await MailServer.start({ ...common, credentials, tls: l.tls, requireStartTLS: l.tls === "starttls" });
        byMode.set(l.tls, s);
        servers.push(s);
      }
      ports.set(l.port, s.port);
    }
  }
  const closedPort = await refusedPort();
  return {
    policy,
    portFor: (p) => (any ? any.port : ports.get(p)),
    closedPort,
    servers,
    dir,
    close: async () => {
      for (const s of servers) await s.close();
      if (ownsDir) await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

export { ProviderPolicy, accountProblems } from "./policy.js";
export { Tickets, ticketedEngine } from "./tickets.js";
export type { ProviderAccount, ProviderName, ProviderProfile, ProviderRule, Reply } from "./types.js";
export { replyText } from "./types.js";
