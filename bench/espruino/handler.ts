// The Espruino figures, on the real interpreter (the 16,383-variable build, an ESP32's
// count) against `cellmail modem --pty`, with the unmodified dist/espruino/cellmail.js:
//
//   espruino.mail.handlerMsPerMail      interpreter time in the serial data handler per
//                                       steady-state mail (prelude.ts wraps the handler):
//                                       the median over those mails
//   espruino.baseline.handlerMsPerMail  the same chunks, each right after the bundle had it,
//                                       through the plain parser (baseline-parser.js): the
//                                       median over the same mails
//   espruino.usageAfterLoad             process.memory().usage once the bundle alone has loaded
//                                       and started (no mail yet; a separate boot, no prelude)
//   espruino.mail.usageGrowth           usage after the last mail minus after the first
//
// Target: handlerMsPerMail at most 1.5 times the baseline's (HANDLER_RATIO_TARGET).
// Wall-clock figures: they vary with the machine and its load. The ratio much less: both
// are timed at the same moments, chunk by chunk, and the medians leave out a mail that
// lost a time slice to another process.
//   npx tsx bench/espruino/handler.ts [mails]    prints the figures and merges the keys
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { BUNDLE, EspruinoRig } from "../../host-sim/espruino/rig.js";
import { EspruinoBoard, findEspruino } from "../../host-sim/espruino/interpreter.js";
import { benchPrelude } from "./prelude.js";
import { mergeResults } from "../results.js";

export const HANDLER_RATIO_TARGET = 1.5;
const PIN = 5;

/** The board: plain SMTP, every alarm its own mail (no coalescing window, no hourly limit to wait out). */
export const BENCH_CONFIG = {
  board: "bench-board",
  smtp: { provider: "generic", server: "smtp.example.com", port: 25, ssl: { type: 0 }, user: "alarm@example.com", password: "bench-secret" },
  sender: { name: "Bench board", address: "alarm@example.com" },
  recipients: { to: ["ops@example.com"] },
  network: { apn: "internet" },
  alarm: {
    inputs: [{ key: "leak", title: "Water leak", pin: PIN, activeLevel: 1, debounceMs: 10 }],
    coalesceSeconds: 0,
    perRecipientPerHour: 1000,
  },
};

export interface EspruinoFigures {
  results: Record<string, number>;
  ratio: number;
  met: boolean;
  detail: string;
}

interface BenchLine {
  mails: number;
  /** Handler ms of each steady-state mail. */
  ours: number[];
  /** Baseline ms of each, on the same chunks. */
  baseline: number[];
  chunks: number;
  bytes: number;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

/** process.memory().usage of the interpreter running `script`, a moment after it has loaded (after a garbage collection). */
async function usageOf(binary: string, dir: string, script: string): Promise<number> {
  const file = path.join(dir, "usage.js");
  writeFileSync(file, `${script}\nsetTimeout(function(){print("usage="+process.memory().usage)},500);`, "latin1");
  const board = EspruinoBoard.start(binary, dir, file);
  try {
    // The whole number: the line can arrive in pieces (a figure of 2 was once read from "usage=2" of 2856).
    await board.waitFor("the usage line", (t) => /usage=\d+\s/.test(t), 20_000);
    return Number(/usage=(\d+)/.exec(board.output())![1]);
  } finally {
    await board.kill();
  }
}

export async function espruinoFigures(mails = 12, say: (line: string) => void = () => {}): Promise<EspruinoFigures | { problem: string }> {
  const binary = findEspruino("16k");
  if (typeof binary !== "string") return binary;
  const from = 2;
  const rig = await EspruinoRig.open({ binary, config: BENCH_CONFIG });
  try {
    rig.pin(PIN, 0);
    rig.storeSettings();
    const prelude = benchPrelude({ from, to: mails });
    const board = rig.boot(prelude);
    await board.waitFor("the bundle to start", (t) => t.includes("cellmail (compact) started"), 20_000);
    for (let k = 1; k <= mails; k++) {
      rig.pin(PIN, 1);
      await rig.waitMails(k, 30_000);
      await board.waitFor(`bench-mail ${k}`, (t) => t.includes(`bench-mail {"mails":${k},`), 10_000);
      rig.pin(PIN, 0);
      await new Promise((r) => setTimeout(r, 40)); // the input's debounce (10 ms) sees it clear
    }
    await board.waitFor("the baseline's figures", (t) => /^>*bench \{.*\}$/m.test(t), 30_000);
    const line = JSON.parse(/^>*bench (\{.*\})$/m.exec(board.output())![1]) as BenchLine;
    const perMail = [...board.output().matchAll(/^>*bench-mail (\{.*\})$/gm)].map((m) => JSON.parse(m[1]) as { mails: number; usage: number });
    await board.kill();
    // Usage after load: the bundle alone (its own start-up) against the empty interpreter,
    // and the prelude's share taken out of the measured run's figure.
    const afterLoad = await usageOf(binary, rig.dir, readFileSync(BUNDLE, "latin1"));
    const ours = median(line.ours);
    const base = median(line.baseline);
    const ratio = ours / base;
    const first = perMail.find((p) => p.mails === 1)!;
    const last = perMail.find((p) => p.mails === mails)!;
    const results = {
      "espruino.mail.handlerMsPerMail": Number(ours.toFixed(2)),
      "espruino.baseline.handlerMsPerMail": Number(base.toFixed(2)),
      "espruino.usageAfterLoad": afterLoad,
      "espruino.mail.usageGrowth": last.usage - first.usage,
    };
    const detail =
      `${line.mails} steady-state mails (${mails} sent), ${line.chunks} chunks, ${line.bytes} bytes received: ` +
      `handler ${ours.toFixed(2)} ms/mail, baseline ${base.toFixed(2)} ms/mail (medians; x${ratio.toFixed(2)}, target <= ${HANDLER_RATIO_TARGET}; ` +
      `means ${mean(line.ours).toFixed(2)} and ${mean(line.baseline).toFixed(2)}); ` +
      `usage after load ${afterLoad}, after mail 1 ${first.usage}, after mail ${mails} ${last.usage} (${path.basename(binary)})`;
    say(detail);
    return { results, ratio, met: ratio <= HANDLER_RATIO_TARGET, detail };
  } finally {
    await rig.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 12);
  const f = await espruinoFigures(n, (l) => console.log(l));
  if ("problem" in f) console.log(`skipped: ${f.problem}`);
  else {
    console.log(JSON.stringify(f.results, null, 2));
    if (n === 12) mergeResults(f.results);
  }
}
