import { bundledScenarios, appliesTo } from "../host-sim/scenarios/scenario.js";
import { runSession } from "../host-sim/runner/session.js";
const engine = (process.argv[2] ?? "node") as "node" | "xs";
const only = process.argv[3];
for (const { scenario } of bundledScenarios()) {
  if (only && scenario.name !== only) continue;
  if (!appliesTo(scenario, "compact")) { console.log(`${scenario.name}: EXCLUDED`); continue; }
  const t = performance.now();
  try {
    const r = await runSession({ scenario, engine, profile: "compact", mailDir: "/tmp/cm/mail" });
    console.log(`${scenario.name}: ${r.ok ? "ok" : "FAIL"} (${Math.round(performance.now() - t)} ms, virt ${r.virtualMs}) ${r.expectFailures.join("; ")} ${r.events.filter(e=>e.text.includes("did not end")).map(e=>e.text).join("")}`);
  } catch (e) { console.log(`${scenario.name}: ERROR ${(e as Error).message}`); }
}
