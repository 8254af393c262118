// The few lines loaded before the unmodified bundle on the real Espruino interpreter to
// measure it (bench/espruino/handler.ts):
//
// - the serial ports' `on("data", fn)` registration is wrapped, so the time spent in the
//   bundle's data handler is measured with getTime() around each call;
// - right after each chunk, the same chunk goes through the baseline parser
//   (baseline-parser.js, one instance that sees every chunk in order), timed the same
//   way: both figures come from the same moments, so a busy machine (a time slice lost to
//   another process) weighs on both alike instead of on whichever ran later;
// - delivered mails are counted from the module's "+QSMTPPUT: 0,0" in the received data
//   (outside the measured spans); for every mail after the `from`-th up to the `to`-th
//   (the steady-state mails: the first one also brings the module up) a line
//   "bench-mail {...}" gives both times for that mail, the mail count and
//   process.memory().usage (measured on a fresh turn: it runs a garbage collection);
//   after the `to`-th, one line "bench {...}" gives the lists.
import { readFileSync } from "node:fs";

const BASELINE = readFileSync(new URL("./baseline-parser.js", import.meta.url), "utf8");

export interface PreludeOptions {
  /** The first mail of the measured window is the one after this many (>= 1). */
  from: number;
  /** The last mail of the window. */
  to: number;
}

export function benchPrelude(o: PreludeOptions): string {
  return `${BASELINE}
var BENCH = { mails: 0, ms: 0, base: 0, ours: [], baseline: [], chunks: 0, bytes: 0, all: 0 };
(function () {
  var base = baselineParser();
  function wrap(S) {
    var on = S.on;
    S.on = function (ev, fn) {
      if (ev !== "data") return on.call(S, ev, fn);
      on.call(S, ev, function (d) {
        var t = getTime();
        fn(d);
        var t1 = getTime();
        base(d);
        var t2 = getTime();
        BENCH.ms += (t1 - t) * 1000;
        BENCH.base += (t2 - t1) * 1000;
        BENCH.all += (t1 - t) * 1000;
        BENCH.chunks++;
        BENCH.bytes += d.length;
        tail = (tail + d).substr(-40);
        var k = tail.indexOf(PUT);
        if (k >= 0 && tail.substr(k, PUT.length) === PUT) {
          tail = "";
          delivered();
        }
      });
    };
  }
  wrap(Serial1);
  wrap(Serial2);
  // indexOf on this Espruino also matches a needle whose start ends the string
  // ("AT+QSMT".indexOf("+QSMTPPUT") is 2), hence the substr check above.
  var PUT = "+QSMTPPUT: 0,0";
  var tail = "";
  var p = print;
  function report() {
    p("bench-mail " + JSON.stringify({ mails: BENCH.mails, usage: process.memory().usage, handlerMs: BENCH.all }));
    if (BENCH.mails === ${o.to}) p("bench " + JSON.stringify({ mails: ${o.to - o.from}, ours: BENCH.ours, baseline: BENCH.baseline, chunks: BENCH.chunks, bytes: BENCH.bytes, seen: base.seen }));
  }
  function delivered() {
    BENCH.mails++;
    if (BENCH.mails > ${o.from} && BENCH.mails <= ${o.to}) {
      BENCH.ours.push(BENCH.ms);
      BENCH.baseline.push(BENCH.base);
    } else BENCH.chunks = BENCH.bytes = 0;
    BENCH.ms = BENCH.base = 0;
    setTimeout(report, 0);
  };
})();
`;
}
