// What the two AT layers (the full core's engine, firmware/at/engine.ts, and Espruino's link,
// firmware/compact/link.ts) make of a reply that lost one byte on its way from the module
// (issue 12: one behaviour). Each exchange below is the module's answer to one command, echo
// on, as the EC800 gives it; every way of losing one of its bytes is fed to both layers.
//  - A lost byte that is not a line end leaves a damaged line: both layers must make the same
//    of it (the command's end, its information lines, the URCs).
//  - A lost CR or LF leaves every line as it was: both layers must read the reply as if nothing
//    was lost. The engine ends lines at CR and takes a final result whose CR was lost ("OK\n");
//    the link ends a line at its CR or its LF, whichever comes (a lost LF); both end a
//    line left open (the last one lost its end) at a deadline: the command's, or the owner's
//    send wait (takeOpenLine), which each run below ends after the command's. Until issue 12
//    made these rules one, the engine missed 1 case here and the link 10.
import { describe, expect, it } from "vitest";
import { AtEngine } from "../../firmware/at/engine.js";
import { RESULT_CME, RESULT_NAMES, SHAPE_DEFERRED, SHAPE_LINE, SHAPE_NONE, type AtResult } from "../../firmware/at/types.js";
import { createAtLink } from "../../firmware/compact/link.js";
import { createByteFraming } from "../../firmware/compact/frame-bytes.js";
import { E_AT_ERROR, E_TIMEOUT } from "../../firmware/errors.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { bareUart } from "../at/support/bare-uart.js";

interface Exchange {
  name: string;
  command: string;
  shape: number;
  /** Information-line prefix ("" none); on a deferred command, the URC's. */
  prefix: string;
  /** What the module sends back: the echo (CR only), the answer, and any URC. */
  reply: string;
}

const EXCHANGES: Exchange[] = [
  { name: "a row answered OK", command: '+QSMTPSUB=0,"Door"', shape: SHAPE_NONE, prefix: "", reply: 'AT+QSMTPSUB=0,"Door"\r\r\nOK\r\n' },
  { name: "a query's line and OK", command: "+CSQ", shape: SHAPE_LINE, prefix: "+CSQ:", reply: "AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n" },
  { name: "the send, its OK and its result", command: "+QSMTPPUT=300", shape: SHAPE_DEFERRED, prefix: "+QSMTPPUT:", reply: "AT+QSMTPPUT=300\r\r\nOK\r\n\r\n+QSMTPPUT: 0,0\r\n" },
  { name: "a row refused", command: '+QSMTPDST=1,1,"a@b.c"', shape: SHAPE_NONE, prefix: "", reply: 'AT+QSMTPDST=1,1,"a@b.c"\r\r\n+CME ERROR: 653\r\n' },
];

const TIMEOUT_MS = 3000;

/** What a layer made of the exchange: the end ("OK", "GARBLED", "TIMEOUT", "ERROR", "CME 653"), then lines and URCs in order. */
function viaEngine(x: Exchange, reply: string): string {
  const clock = new VirtualClock();
  const u = bareUart();
  const engine = new AtEngine(u.uart, clock, { settleMs: 0 });
  const seen: string[] = [];
  // Echo known on, as after bring-up.
  engine.send({ command: "", shape: SHAPE_NONE, timeoutMs: 1000 }, () => {});
  u.feed("AT\r\r\nOK\r\n");
  clock.advance(10);
  if (x.shape === SHAPE_DEFERRED) engine.onUrc(engine.prefix(x.prefix), (l) => seen.push("urc " + l.int(0, -1) + "," + l.int(1, -1)));
  let end = "";
  engine.send(
    { command: x.command, shape: x.shape, timeoutMs: TIMEOUT_MS, ...(x.shape === SHAPE_LINE ? { prefix: engine.prefix(x.prefix), onLine: (l) => seen.push("line " + l.int(0, -1) + "," + l.int(1, -1)) } : {}) },
    (r: AtResult) => (end = r.code === RESULT_CME ? "CME " + r.errorCode : RESULT_NAMES[r.code]),
  );
  u.feed(reply);
  clock.advance(TIMEOUT_MS + 10);
  engine.takeOpenLine(); // the owner's wait ends (the job's send wait, firmware/mail/job.ts)
  return [end, ...seen].join(" | ");
}

function viaLink(x: Exchange, reply: string): string {
  const clock = new VirtualClock();
  const u = bareUart();
  const link = createAtLink(createByteFraming(u.uart), clock);
  link.echo = true; // as after ATE1
  const seen: string[] = [];
  link.onUrc = (l) => {
    if (x.shape === SHAPE_DEFERRED && l.starts(x.prefix)) seen.push("urc " + l.int(0) + "," + l.int(1));
  };
  let end = "";
  link.send(x.command, x.shape === SHAPE_LINE ? x.prefix : "", TIMEOUT_MS, null, (l) => seen.push("line " + l.int(0) + "," + l.int(1)), (code) => {
    end = code === 0 ? (link.echoed() ? "OK" : "GARBLED") : code === E_TIMEOUT ? "TIMEOUT" : code === E_AT_ERROR ? "ERROR" : "CME " + code;
  });
  u.feed(reply);
  clock.advance(TIMEOUT_MS + 10);
  link.takeOpenLine(); // the owner's wait ends (the mailer's send wait, firmware/compact/mailer.ts)
  // The link reads a number it cannot find as NaN, the engine as its default -1.
  return [end, ...seen].join(" | ").replace(/NaN/g, "-1");
}

describe("one byte lost from the module's answer: what each AT layer makes of it", () => {
  for (const x of EXCHANGES) {
    it(`${x.name}: the same of a damaged line; every lost line end read through`, () => {
      const whole = viaEngine(x, x.reply);
      expect(viaLink(x, x.reply), "undamaged").toBe(whole);
      const differ: string[] = [];
      const weak = { engine: [] as number[], link: [] as number[] };
      for (let i = 0; i < x.reply.length; i++) {
        const damaged = x.reply.slice(0, i) + x.reply.slice(i + 1);
        const a = viaEngine(x, damaged);
        const b = viaLink(x, damaged);
        if (x.reply[i] === "\r" || x.reply[i] === "\n") {
          if (a !== whole) weak.engine.push(i);
          if (b !== whole) weak.link.push(i);
        } else if (a !== b) {
          differ.push(`byte ${i} (${JSON.stringify(x.reply[i])}): engine ${a}; link ${b}`);
        }
      }
      expect(differ).toEqual([]);
      expect(weak).toEqual({ engine: [], link: [] }); // reply indexes of lost CRs and LFs a layer did not read through
    });
  }
});
