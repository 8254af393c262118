// Smoke test: the Mailer on the real AtEngine against host-sim's EC800 model, with a
// fake SMTP engine (no network). The lead's end-to-end suite goes much further.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { createSimulatedModem } from "../../host-sim/index.js";
import type { OutgoingMail, SmtpEngine, SmtpOutcome, SmtpSession } from "../../host-sim/smtp/types.js";
import { AtEngine } from "../../firmware/at/engine.js";
import { Mailer } from "../../firmware/mail/mailer.js";
import type { MailResult } from "../../firmware/mail/job.js";
import { bytesSource } from "../../firmware/at/source.js";
import { config, job } from "./support/fixtures.js";
import { ufsFiles } from "../../firmware/ext/upload/files.js";

class FakeSmtp implements SmtpEngine {
  readonly mails: OutgoingMail[] = [];
  outcomes: SmtpOutcome[] = [];
  async deliver(_s: SmtpSession, mail: OutgoingMail): Promise<SmtpOutcome> {
    this.mails.push(mail);
    await new Promise((r) => setTimeout(r, 1));
    return this.outcomes.shift() ?? { err: 0, protocolError: 0, detail: "250 OK" };
  }
}

async function setup() {
  const clock = new VirtualClock();
  const smtp = new FakeSmtp();
  const sim = createSimulatedModem({ clock, smtp });
  const engine = new AtEngine(sim.uart, clock);
  const mailer = new Mailer(engine, clock, config(), { files: ufsFiles }); // attachments: the module's files
  sim.powerOn();
  const results: MailResult[] = [];
  const send = async (extra: object, n: number) => {
    const e = mailer.submit(job(extra), (r) => results.push(r));
    expect(e).toBeNull();
    await clock.run({ until: () => results.length >= n, forMs: 3_600_000 });
  };
  return { clock, smtp, sim, engine, mailer, results, send };
}

describe("Mailer on AtEngine + host-sim EC800", () => {
  it("delivers a first and a second mail; the second takes at most 6 commands", async () => {
    const t = await setup();
    await t.send({ id: "a" }, 1);
    expect(t.results[0].error).toBeNull();
    expect(t.results[0].delivered).toBe(true);
    expect(t.smtp.mails).toHaveLength(1);
    await t.send({ id: "b", subject: "温度告警 🔥", body: "压力过低", attachments: [{ name: "log.csv", data: bytesSource(new Uint8Array(3000).fill(65)) }] }, 2);
    expect(t.results[1].error).toBeNull();
    expect(t.results[1].delivered).toBe(true);
    await t.send({ id: "c" }, 3);
    expect(t.results[2].delivered).toBe(true);
    expect(t.results[2].commands).toBeLessThanOrEqual(6);
  });
});
