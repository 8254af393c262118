import { bundledScenarios } from "../host-sim/scenarios/scenario.js";
import { runSession } from "../host-sim/runner/session.js";
const [name, profile = "compact", engine = "node"] = process.argv.slice(2);
const s = bundledScenarios().find((b) => b.scenario.name === name)!.scenario;
const r = await runSession({ scenario: s, engine: engine as "node", profile: profile as "compact", mailDir: "/tmp/cm/mail" });
for (const e of r.events) console.log(`${(e.t/1000).toFixed(3)} ${e.kind} ${e.text}`);
console.log(r.expectFailures);
import { writeFileSync } from "node:fs";
writeFileSync(`/tmp/cm/${name}-${profile}-${engine}.transcript`, r.transcript);
