// The board both real-interpreter suites run (real.test.ts, flash.test.ts): its
// configuration as its owner writes it (docs/configuration.md) with one input on PIN, and
// what the mail of that input's alarm must say.
import type { ParsedMail } from "mailparser";
import { expect } from "vitest";

export const PIN = 5;

/** The configuration; `alarm` overrides fields of its alarm section. */
export function boardConfig(alarm: Record<string, unknown> = {}) {
  return {
    board: "pump-house-3",
    smtp: { provider: "generic", server: "smtp.example.com", port: 465, ssl: { type: 1 }, user: "alarm@example.com", password: "real-secret" },
    sender: { name: "Pump house 3", address: "alarm@example.com" },
    recipients: { to: ["ops@example.com"] },
    network: { apn: "internet" },
    alarm: { inputs: [{ key: "leak", title: "Water leak", pin: PIN, activeLevel: 1, debounceMs: 10 }], coalesceSeconds: 0, ...alarm },
  };
}

/** The mail of the input's alarm, as mailparser reads it: subject, sender, recipient, body. */
export function expectAlarmMail(mail: ParsedMail): void {
  expect(mail.subject).toBe("[pump-house-3] ALARM Water leak");
  expect(mail.from?.value[0]).toMatchObject({ address: "alarm@example.com", name: "Pump house 3" });
  expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value.map((a) => a.address)).toEqual(["ops@example.com"]);
  expect(mail.text).toContain("Alarm: Water leak (leak)");
  expect(mail.text).toContain("Board: pump-house-3");
}
