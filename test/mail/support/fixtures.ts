// Shared fixtures: a typical configuration and job, and a Mailer on a ScriptPort.
import { causeTexts } from "../../../firmware/ext/causes/texts.js";
import { ufsFiles } from "../../../firmware/ext/upload/files.js";
import { VirtualClock } from "../../../host-sim/clock.js";
import { Mailer, MailerOptions } from "../../../firmware/mail/mailer.js";
import type { MailJob } from "../../../firmware/mail/message.js";
import type { MailResult } from "../../../firmware/mail/job.js";
import type { ModemConfig } from "../../../firmware/modem/config.js";
import { ScriptPort } from "./script-port.js";

export const PASSWORD = "s3cr3t-Pa55";

export function config(extra?: Partial<ModemConfig>): ModemConfig {
  return {
    apn: "internet",
    server: "smtp.example.com",
    port: 465,
    user: "alarm@example.com",
    password: PASSWORD,
    senderName: "Pump station 7",
    senderEmail: "alarm@example.com",
    sslType: 1,
    ...extra,
  };
}

export function job(extra?: Partial<MailJob>): MailJob {
  return { id: "m1", to: ["ops@example.com"], subject: "Alarm: pressure low", body: "Pressure 0.4 bar at 12:00.", ...extra };
}

export interface Rig {
  clock: VirtualClock;
  port: ScriptPort;
  mailer: Mailer;
  logs: string[];
  results: MailResult[];
  send(j?: Partial<MailJob>): void;
  /** Run until `n` results are in (or virtual time runs out). */
  settle(n: number, maxMs?: number): void;
}

export function rig(cfg?: Partial<ModemConfig>, options?: MailerOptions): Rig {
  const clock = new VirtualClock(1_000_000);
  const port = new ScriptPort(clock);
  const logs: string[] = [];
  const mailer = new Mailer(port, clock, config(cfg), { log: (_l, m) => logs.push(m), causes: causeTexts(), files: ufsFiles, ...options });
  const results: MailResult[] = [];
  const r: Rig = {
    clock,
    port,
    mailer,
    logs,
    results,
    send(j) {
      const e = mailer.submit(job(j), (res) => results.push(res));
      if (e) throw new Error("refused: " + e.cause);
    },
    settle(n, maxMs = 3_600_000) {
      const end = clock.now() + maxMs;
      while (results.length < n && clock.now() < end && clock.pendingTimers() > 0) {
        clock.advance(Math.min(1000, end - clock.now()));
      }
    },
  };
  return r;
}
