import { bundledScenarios } from "../host-sim/scenarios/scenario.js";
import { runSession } from "../host-sim/runner/session.js";
const s = bundledScenarios().find((b) => b.scenario.name === "injection-attempts")!.scenario;
const r = await runSession({ scenario: s, profile: "compact", mailDir: "/tmp/cm/mail" });
console.log(JSON.stringify(r.mails.map(m=>({s:m.subject,to:m.to})),null,1));
