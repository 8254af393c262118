// A SessionResult for report tests that needs no runner: a short, realistic transcript
// (both directions, a note, a redacted credential) and events of every kind.
import type { SessionResult } from "../../host-sim/runner/types.js";

export const FIXTURE_TRANSCRIPT = [
  "# cellmail transcript v1",
  "# scenario: fixture",
  "# baud: 115200",
  "       0.000 ! module: power on",
  "    3300.000 < \\r\\nRDY\\r\\n",
  "    3300.868 > AT\\r",
  "    3305.868 < \\r\\nOK\\r\\n",
  '    6400.260 > AT+QSMTPCFG="account","alarm@example.com","***"\\r',
  "    6405.260 < \\r\\nOK\\r\\n",
  "    7000.000 > AT+QSMTPPUT=300\\r",
  "    7005.000 < \\r\\nOK\\r\\n",
  "    9000.000 < \\r\\n+QSMTPPUT: 0,0\\r\\n",
  "",
].join("\n");

export function fixtureResult(over: Partial<SessionResult> = {}): SessionResult {
  return {
    scenario: "fixture",
    engine: "node",
    composition: "node",
    ok: true,
    expectFailures: [],
    delivered: 1,
    failed: 0,
    mails: [
      {
        subject: "Alarm: <door> & \"gate\"",
        from: "Cellmail board <alarm@cellmail.test>",
        to: ["ops@example.com"],
        cc: [],
        attachments: [{ name: "log.csv", size: 3000 }],
        envelope: { from: "alarm@cellmail.test", rcptTo: ["ops@example.com"] },
        size: 4321,
        eml: "/tmp/mail/0001-x.eml",
      },
    ],
    errors: [],
    transcript: FIXTURE_TRANSCRIPT,
    events: [
      { t: 0, kind: "command", text: "submit mail job m1" },
      { t: 0, kind: "state", text: "mail m1: start" },
      { t: 3300.6, kind: "retry", text: "module boot 1 (unexpected RDY)" },
      { t: 3400, kind: "state", text: "module ready: rssi 25, reg 1" },
      { t: 9000.5, kind: "state", text: "mail m1: delivered after 1 attempt(s)" },
      { t: 9001, kind: "result", text: "job m1 delivered after 1 send(s), 20 AT commands" },
    ],
    virtualMs: 14000,
    ...over,
  };
}
