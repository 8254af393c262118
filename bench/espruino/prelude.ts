// The few lines loaded before the unmodified bundle on the real Espruino interpreter to
// measure it (bench/espruino/handler.ts):
//
// - the serial ports' `on("data", fn)` registration is wrapped, so the time spent in the
//   bundle's data handler is summed with getTime() around each call (the wrapper's own
//   work, recording the chunk, is outside the measured span);
// - delivered mails are counted from the module's "+QSMTPPUT: 0,0" in the received data
//   (outside the measured span); between the `from`-th and the `to`-th (the steady-state
//   mails: the first one also brings the module up) every received chunk is kept;
// - after the `to`-th mail, on a fresh turn (outside the handler), the same chunks, in the
//   same order, go through the baseline parser (baseline-parser.js), timed the same way, in
//   the same interpreter, and one line "bench {...}" reports both, with the variables in use.
// At every delivered mail a line "bench-mail {...}" gives the mail count and
// process.memory().usage (measured on a fresh turn too: it runs a garbage collection).
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
var BENCH = { ms: 0, win: 0, mails: 0, rec: [], on: false };
(function () {
  function wrap(S) {
    var on = S.on;
    S.on = function (ev, fn) {
      if (ev !== "data") return on.call(S, ev, fn);
      on.call(S, ev, function (d) {
        var w = BENCH.on;
        if (w) BENCH.rec.push(d);
        var t = getTime();
        fn(d);
        t = (getTime() - t) * 1000;
        BENCH.ms += t;
        if (w) BENCH.win += t;
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
    p("bench-mail " + JSON.stringify({ mails: BENCH.mails, usage: process.memory().usage, handlerMs: BENCH.ms }));
    if (BENCH.mails !== ${o.to}) return;
    var ours = BENCH.win;
    var rec = BENCH.rec;
    BENCH.rec = [];
    var base = baselineParser();
    var bt = 0;
    var bytes = 0;
    for (var i = 0; i < rec.length; i++) {
      var t = getTime();
      base(rec[i]);
      bt += (getTime() - t) * 1000;
      bytes += rec[i].length;
    }
    p("bench " + JSON.stringify({ mails: ${o.to - o.from}, ms: ours, baselineMs: bt, chunks: rec.length, bytes: bytes, seen: base.seen }));
  }
  function delivered() {
    BENCH.mails++;
    if (BENCH.mails === ${o.from}) BENCH.on = true;
    if (BENCH.mails === ${o.to}) BENCH.on = false;
    setTimeout(report, 0);
  };
})();
`;
}
