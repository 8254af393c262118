// The scenario expectations the format gained for issue 13 can fail: a mail whose decoded
// content differs from what was given, an envelope missing a Bcc, a recipient over its
// hourly limit, counts that do not add up, a power cut that never struck. Each check is
// fed an observation that breaks it (and one that holds), so none of them passes vacuously.
import { describe, expect, it } from "vitest";
import { checkExpect, maxPerRecipientPerHour, normalBody, reportedCount, type Observed } from "../../host-sim/runner/expect.js";
import type { ReceivedMail } from "../../host-sim/mailserver/server.js";
import type { Scenario } from "../../host-sim/scenarios/scenario.js";

function mail(over: Partial<ReceivedMail>): ReceivedMail {
  return {
    seq: 1, emlPath: "", raw: Buffer.alloc(0), rawHeaders: "", envelope: { mailFrom: "a@b.c", rcptTo: ["ops@example.com"] }, secure: true,
    to: [{ name: "", address: "ops@example.com" }], cc: [], subject: "S", text: "hello\nworld\n", attachments: [], parsed: {} as ReceivedMail["parsed"],
    ...over,
  };
}

const observed = (mails: ReceivedMail[], extra: Partial<Observed> = {}): Observed => ({ mails, outcomes: [], reboots: 0, rxOverflow: 0, ...extra });
const job = { id: "m1", to: ["ops@example.com"], subject: "S", body: "hello\r\nworld", attachments: [{ name: "a.bin", base64: Buffer.from([1, 2, 3]).toString("base64") }] };
const scenario = (expectation: Scenario["expect"]): Scenario => ({ name: "x", expect: expectation });

describe("expect: content, envelope, rate, counts, power cuts", () => {
  it("content 'given': body compared with line ends as CRLF, attachments byte for byte", () => {
    const s = scenario({ delivered: [{ subject: "S", content: "given" }] });
    const att = (bytes: number[]) => [{ filename: "a.bin", contentType: "application/octet-stream", content: Buffer.from(bytes), size: bytes.length }];
    expect(checkExpect(s, observed([mail({ attachments: att([1, 2, 3]) })], { jobs: [job] }))).toEqual([]);
    expect(checkExpect(s, observed([mail({ text: "hello\nw0rld", attachments: att([1, 2, 3]) })], { jobs: [job] }))[0]).toMatch(/body digest .* differs/);
    expect(checkExpect(s, observed([mail({ attachments: att([1, 2, 4]) })], { jobs: [job] }))[0]).toMatch(/attachment a\.bin: digest/);
    expect(normalBody("a\nb\rc\r\n\r\n")).toBe("a\r\nb\r\nc");
  });

  it("rcptTo is the exact envelope: a Bcc that was not received fails", () => {
    const s = scenario({ delivered: [{ rcptTo: ["ops@example.com", "audit@example.com"] }] });
    expect(checkExpect(s, observed([mail({ envelope: { mailFrom: "a@b.c", rcptTo: ["ops@example.com", "AUDIT@example.com"] } })]))).toEqual([]);
    expect(checkExpect(s, observed([mail({})]))[0]).toMatch(/in the envelope, got 0/);
  });

  it("alarms: per recipient per sliding hour, the counts the mails report, failed alarms, puts", () => {
    const alarmMail = (subject: string, key: string) => mail({ subject, text: `Board: b\r\nAlarm: Leak (${key})\r\n` });
    const mails = [alarmMail("[b] ALARM Leak", "leak"), alarmMail("[b] ALARM Leak (x12)", "leak"), alarmMail("[b] ALARM Door", "door")];
    const at = [0, 1_000_000, 3_599_999];
    expect(maxPerRecipientPerHour(mails, at)).toEqual({ rcpt: "ops@example.com", n: 3 });
    expect(maxPerRecipientPerHour(mails, [0, 1, 3_600_000])).toEqual({ rcpt: "ops@example.com", n: 2 });
    expect(reportedCount(mails[1])).toEqual({ key: "leak", count: 12 });
    const s = scenario({ alarms: { maxPerRecipientPerHour: 2, counts: { leak: 13 }, failed: 0 }, module: { maxPuts: 3 } });
    expect(checkExpect(s, observed(mails, { deliveredAt: at, failedAlarms: 1, puts: 4 }))).toEqual([
      "4 AT+QSMTPPUT sent, at most 3 expected",
      "ops@example.com got 3 mails within one hour, at most 2 expected",
      "mails report alarm door, which `counts` does not name",
      "1 alarm(s) kept as failed, 0 expected",
    ]);
    expect(checkExpect(scenario({ alarms: { counts: { leak: 13, door: 1 } } }), observed(mails, { deliveredAt: at }))).toEqual([]);
  });

  it("a planned power cut that never struck fails the run", () => {
    expect(checkExpect(scenario({ alarms: {} }), observed([], { powerCuts: { planned: 1, struck: 0 } }))).toEqual([
      "1 planned power cut(s) never struck (the point was not reached)",
    ]);
  });
});
