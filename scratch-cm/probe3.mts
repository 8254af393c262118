import { runSession } from "../host-sim/runner/session.js";
import { bundledScenarios } from "../host-sim/scenarios/scenario.js";
const base = bundledScenarios().find((b) => b.scenario.name === "byte-loss")!.scenario;
const s = { ...base, name: "byte-loss-alarm", firmware: { alarm: { key: "door", title: "Door 1 open" } }, expect: { delivered: [{}] } };
for (const profile of ["full", "compact"] as const) {
  const r = await runSession({ scenario: s, profile, mailDir: "/tmp/cm/mail" });
  console.log(profile, r.ok, r.expectFailures, r.events.filter(e => e.kind === "result" || e.kind==="note" || e.kind==="retry").map(e => `${(e.t/1000).toFixed(1)} ${e.text}`));
}
// seeds
for (const seed of [1,2,3,4,5,6,7,8]) {
  const s2 = { ...base, name: "bl" + seed, link: { toModule: { lossRate: 0.002, seed: seed * 2 }, toFirmware: { lossRate: 0.002, seed: seed * 2 + 1 } } };
  const out: string[] = [];
  for (const profile of ["full", "compact"] as const) { const r = await runSession({ scenario: s2, profile, mailDir: "/tmp/cm/mail" }); out.push(`${profile}:${r.ok ? "ok" : r.errors.map(e=>e.code).join(",")}`); }
  console.log("seed", seed, out.join(" "));
}
