import { runSession } from "../host-sim/runner/session.js";
import { scenario } from "../test/e2e/support.js";
const s = scenario("probe2", { durationMs: 600000, module: { urcPort: "uart1" }, firmware: { mail: { to: ["ops@example.com"], subject: "direct", body: "x" }, alarm: { key: "leak", title: "Leak" } } });
for (const profile of ["full", "compact"] as const) {
  const r = await runSession({ scenario: s, profile, mailDir: "/tmp/cm/mail" });
  console.log(profile, r.virtualMs, r.events.filter(e => e.kind === "result" || e.kind==="note").map(e => `${e.t} ${e.text}`));
}
