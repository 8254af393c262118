// Socket transport figures from the paced simulator (docs/sockets-smtp.md): the node
// composition with smtp.transport "socket" (cellmail's own SMTP client over AT+QSSLOPEN),
// the EC800 model's real TLS connection to the runner's real SMTP server, the modelled radio
// round trip (150 ms) on every exchange, one virtual clock. Read from the UART transcript and
// the job's report, next to the module path's sim.mail.* figures.
//
//   sim.socket.sendSeconds      the 10,240-byte mail: virtual s from AT+QSSLOPEN to the server's reply
//                               after the message (target <= 1.2 x sim.mail.sendSeconds)
//   sim.socket.commandsFirst    AT command lines for the first mail after power-on (one To), payloads aside
//   sim.socket.smtpRoundTrips   SMTP exchanges that waited for a reply in that mail (PIPELINING offered)
//
//   npx tsx bench/sim-socket.ts     print the figures and merge them into bench/results.json
import { fileURLToPath } from "node:url";
import { mergeResults } from "./results.js";
import { benchBody, check, commandLines, mail, run, text } from "./sim-mail.js";
import type { Scenario } from "../host-sim/scenarios/scenario.js";
import { parseTranscript } from "../host-sim/transcript/format.js";

export const SIM_SOCKET_TARGETS = { sendSecondsRatio: 1.2 };

function socketScenario(name: string, subject: string, body: string): Scenario {
  return {
    name,
    module: { profile: "typical", urcPort: "uart1" },
    needs: ["socket", "smtp-client"],
    firmware: { config: { smtp: { transport: "socket" } }, mail: mail(subject, body) },
    expect: { delivered: [{ subject }] },
  } as Scenario;
}

export async function simSocketFigures(): Promise<Record<string, number>> {
  const big = await run(socketScenario("bench-socket-10240", "Alarm: body over the socket", benchBody()));
  check(big, "socket body");
  const recs = parseTranscript(big.transcript).records;
  const open = recs.findIndex((x) => x.dir === ">" && text(x).startsWith("AT+QSSLOPEN="));
  // The message ends with "\r\n.\r\n" (the transcript cuts records at CR: "\n.\r"); the server's reply to it
  // is the first read after it that holds "250 ".
  let dot = -1;
  for (let i = recs.length - 1; i > open; i--) {
    if (recs[i].dir === ">" && text(recs[i]) === "\n.\r") {
      dot = i;
      break;
    }
  }
  const reply = recs.findIndex((x, i) => i > dot && x.dir === "<" && /\n250 /.test(text(x)));
  if (open < 0 || dot < 0 || reply < 0) throw new Error("socket body: AT+QSSLOPEN, the final dot or the server's reply not found in the transcript");
  const small = await run(socketScenario("bench-socket-first", "Alarm: door 1 open", "Door 1 opened at 03:12."));
  check(small, "socket first");
  const trips = /, (\d+) SMTP round trips$/.exec(small.events.find((e) => e.kind === "result" && e.text.startsWith("job m1 delivered"))?.text ?? "");
  if (!trips) throw new Error("socket first: the job's SMTP round trips are not in its report");
  return {
    "sim.socket.sendSeconds": Number(((recs[reply].t - recs[open].t) / 1000).toFixed(3)),
    "sim.socket.commandsFirst": commandLines(parseTranscript(small.transcript).records).length,
    "sim.socket.smtpRoundTrips": Number(trips[1]),
  };
}

async function main(): Promise<void> {
  const figures = await simSocketFigures();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(36)} ${String(v).padStart(10)}`);
  mergeResults(figures);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
