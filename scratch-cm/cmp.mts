import { bundledScenarios, appliesTo } from "../host-sim/scenarios/scenario.js";
import { runSession } from "../host-sim/runner/session.js";
const t0 = performance.now();
for (const { scenario } of bundledScenarios()) {
  if (scenario.name === "upload-corruption") continue;
  const t = performance.now();
  try {
    const [a, b] = await Promise.all([runSession({ scenario, engine: "node", profile: "compact", mailDir: "/tmp/cm/mail" }), runSession({ scenario, engine: "xs", profile: "compact", mailDir: "/tmp/cm/mail" })]);
    let same = a.transcript === b.transcript;
    let line = -1;
    if (!same) { const x = a.transcript.split("\n"), y = b.transcript.split("\n"); line = 0; while (x[line] === y[line]) line++; console.log("  node:", x[line], "\n  xs:  ", y[line]); }
    const ev = (r: typeof a) => JSON.stringify(r.events.filter(e => !e.text.startsWith("embedded SMTP")));
    console.log(`${scenario.name}: transcripts ${same ? "same" : "DIFFER at " + line} events ${ev(a) === ev(b) ? "same" : "DIFFER"} ok ${a.ok}/${b.ok} ${Math.round(performance.now() - t)} ms`);
  } catch (e) { console.log(`${scenario.name}: ERROR ${(e as Error).stack}`); }
}
console.log("total", Math.round(performance.now() - t0));
