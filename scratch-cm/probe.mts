import { runSession } from "../host-sim/runner/session.js";
import { scenario, commandLines } from "../test/e2e/support.js";
const subj = "告警\r\nBcc: evil@example.com";
const s = scenario("probe", { module: { urcPort: "uart1" }, firmware: { mail: { to: ["ops@example.com"], subject: subj, body: "x" }, more: [{ to: ["Ops <ops@example.com>"], subject: "angle", body: "y" }, { to: ["a@b.com c@d.com"], subject: "space", body: "y" }, { to: ["ops@example.com"], subject: "s", body: "" }] } });
for (const profile of ["full", "compact"] as const) {
  const r = await runSession({ scenario: s, profile, mailDir: "/tmp/cm/mail" });
  console.log(profile, r.events.filter(e => e.kind === "result").map(e => e.text));
  console.log(r.mails.map(m => [m.subject, m.to]));
  console.log(commandLines(r.transcript).filter(l => l.startsWith("AT+QSMTPSUB") || l.startsWith("AT+QSMTPDST")));
}
