// The compact profile's EC800 driver and mail job in one: a run is a script of AT
// commands built from what the module still needs (bring-up once per module boot, PDP
// while it is down, the SMTP configuration once per boot) followed by the mail itself,
// then the wait for +QSMTPPUT. Commands are plain strings; the few that need more than
// "OK" are recognised by their text in `stepEnd` (poll the SIM and the registration,
// skip AT+QIACT=<cid> when the context is already up, data mode for the body).
//
// Recovery is the full job's ladder (firmware/mail/ladder.ts, one table for both mailers):
// fail() states the ladder's conditions from the step that failed and acts on the rung it
// gets. A bring-up retry runs the run again 3 s later; a resend writes AT+QSMTPPUT alone (the
// module keeps the content) 2 s later, 10 s after a 652; a PDP re-activation starts the next
// run with AT+QIDEACT (a send's run then resends); a rebuild builds the content again; a
// reboot starts it with AT+CFUN=1,1, never twice within 10 minutes; an unexpected RDY (the
// module lost its configuration and the content) starts again from what is now missing.
// Each rung has the full job's budget per mail; when the ladder ends the mail, it fails with
// its last code and the outbox keeps it.
// Every quoted value passes the one AT gate (modem/quote.ts) as it is built.
// Every body goes as UTF-8 (charset 1; ASCII is UTF-8): Tencent SES refuses a mail whose
// Content-Type says anything else (seed 000), and `cellmail fleet` showed every alarm of a
// fleet refused for its us-ascii label.
import type { Clock, Log, TimerHandle } from "../platform/types.js";
import { LOG_INFO, LOG_WARN } from "../platform/types.js";
import {
  E_ADDRESS, E_AT_ERROR, E_BODY_LENGTH, E_BODY_SHORT, E_GARBLED, E_NO_BOOT, E_PDP_DEACT, E_POWERED_DOWN, E_QUEUE_FULL,
  E_RECIPIENTS, E_REBOOTED, E_SEND_TIMEOUT, E_SUBJECT, E_TIMEOUT,
  KIND_CONFIG, KIND_MODEM, KIND_NETWORK, KIND_RETRYABLE,
} from "../errors.js";
import { addressRule } from "../modem/address.js";
import { atRefusal, AT_FIELD_MAX } from "../modem/quote.js";
import { pdpRow, smtpRows, sslRows } from "../modem/rows.js";
import { cmeKind, protoKind } from "../modem/kinds.js";
import { PLAIN, RETRY_MS, stepName, stepTable, stepTries, writeAgain } from "../modem/script.js";
import { regPoll, simPoll, simState } from "../modem/polls.js";
import {
  BUSY_PAUSE_MS, PHASE_PAUSE_MS, R_PDP, R_REBOOT, R_REBUILD, R_RESEND, R_RESTART, R_RETRY_PHASE, RESEND_PAUSE_MS, rungBudgets, rungFor, TIMEOUT_LIMIT,
} from "../mail/ladder.js";
import {
  BODY_INPUT_S, BOOT_WAIT_MS, PROBE_TRIES, PUT_MARGIN_MS, REBOOT_SPACING_MS, POLL_MS, REG_WAIT_MS, SIM_WAIT_MS,
} from "../modem/timing.js";
import { utf8Hex, utf8Text } from "../text/utf8.js";
import { MAX_BODY, MAX_RECIPIENTS, MAX_SUBJECT_BYTES } from "../mail/message.js"; // the full job's limits (seed chapter 2)
import { oneLine } from "../text/one-line.js";
import { nextTurn } from "../turn.js";
import type { DeviceConfig } from "../config/device.js";
import type { AtLink } from "./link.js";
import type { CompactMail, CompactOutcome, CompactRadio } from "./types.js";
import type { OutboxMailer } from "../alarm/types.js";

const PROBES = PROBE_TRIES; //     AT probes (1 s each) before the module counts as silent
const PROBE = ""; //               the step "AT"

const OP_NONE = 0;
const OP_SEND = 1;
const OP_RADIO = 2;
const OP_IDLE = 3;

// What the run waits for between commands.
const W_NONE = 0;
const W_PAUSE = 1; // a timer, then the current step again (poll)
const W_PUT = 2; //   the +QSMTPPUT URC
const W_RDY = 3; //   RDY after a reboot we asked for

/** The alarm outbox's mailer (firmware/alarm/types.ts) on the compact link. */
export interface CompactMailer extends OutboxMailer {
  /**
   * Send one mail. Returns 0 when accepted (`done` is called once, later), or the
   * code that refuses it at once (bad address, subject or body; busy: E_QUEUE_FULL).
   */
  send(mail: CompactMail, done: (o: CompactOutcome) => void): number;
  radio(done: (r: CompactRadio) => void): void;
  close(): void;
}

// The steps and their timeouts, which are written once, and how a failed step is written again:
// modem/script.ts, the one table of both mailers. Every test of a step is a comparison of its
// name (the steps tested by their whole text are their own names; "+CMEE=" is only ever
// "+CMEE=1"): Espruino runs its source text again for every statement, and a chain of prefix
// tests per result was a large part of its serial handler's time (bench espruino.mail.handlerMsPerMail).

/** The kind of a module code (kinds.ts) or of a local code (errors.ts). */
export function compactKind(code: number, proto: number): number {
  const k = protoKind(proto) || cmeKind(code);
  if (k) return k;
  // 1028..1039 one digit each (a KIND_*, the bundle's bytes): E_NOT_REGISTERED, E_PDP, E_PDP_DEACT
  // and E_REG_DENIED network (4); E_SIM, E_REBOOTED (the module restarted under the mail more
  // often than the ladder's R_RESTART allows), E_REBOOT_SPACING, E_NO_BOOT and E_POWERED_DOWN
  // modem (5); the others retryable (3). No names either: a name (imported or not) that a closure uses costs
  // XS live slots (bench xs.compact.mail.liveSlotsWarm); test/compact/splits.test.ts checks them against the full core's.
  if (code >= 1028 && code <= 1039) return +"544455533534"[code - 1028];
  return code > 1000 && code < 1011 ? KIND_CONFIG : KIND_RETRYABLE;
}

export function createCompactMailer(link: AtLink, clock: Clock, c: DeviceConfig, log: Log): CompactMailer {
  // The step names tested more than once, spelled once (the bundle's bytes). Locals of this
  // closure: on the 16k Espruino interpreter a comparison with one costs what one with the
  // literal does (a name at the bundle's top level is looked up further, and costs more).
  const CPIN = "+CPIN?";
  const CEREG = "+CEREG?";
  const QIACT = "+QIACT?";
  const ACTIVATE = "+QIACT=";
  const CLEAR = "+QSMTPCLR";
  const DEACT = "+QIDEACT=";
  const BODY = "+QSMTPBODY=";
  const PUT = "+QSMTPPUT=";
  const STEPS = stepTable(); // the one table of both mailers (modem/script.ts)
  // What the module has in this boot: bring-up done, PDP up, SMTP configuration sent.
  let booted = false;
  let pdp = false;
  let configured = false;
  let lastReboot = -REBOOT_SPACING_MS;
  let reboot = false; //  the next run starts with AT+CFUN=1,1
  let deact = false; //   the next run starts with AT+QIDEACT
  let resend = false; //  the next run sends again with AT+QSMTPPUT alone (the module keeps the content)
  let mailAt = 0; //      where the run's mail steps start: the steps before it are bring-up
  let op = OP_NONE;
  let wait = W_NONE;
  let script: string[] = []; // the run's commands
  let names: string[] = []; //  their names (STEPS), by position
  let prefixes: string[] = []; // their information lines' prefixes
  let pos = 0;
  let since = 0; //       when the current step was first tried (polls)
  let name = ""; //       the current step's name (STEPS)
  let prefix = ""; //     its information lines' prefix: "+CSQ" -> "+CSQ:", "+CPIN?" -> "+CPIN:", "+QIACT=1" -> "+QIACT:"
  let spec = PLAIN; //    its STEPS entry: the timeout, negative when written once
  let tries = 0; //       tries of the current step
  let timer: TimerHandle = null;
  let recoveries = 0; //  rungs taken for this mail
  let used: number[] = []; // of each rung, for this mail (by rung; undefined: none yet)
  let rungEnd = 0; //     where the run's rung steps end (AT+CFUN=1,1, or AT+QIDEACT and the re-activation)
  const budgets = rungBudgets();
  let timeouts = 0; //    E_TIMEOUTs in a row
  let bad = 0; //         a value the AT gate refused while the script was built
  let commands = 0;
  let mark = 0; //        what an information line said: the SIM ready (1) or locked (-1), our context up (1), body bytes taken
  let mail: CompactMail | null = null;
  let body: Uint8Array | null = null;
  let subjectCharset = 0; // 0: `subject` is the ASCII text, 1: its UTF-8 hex
  let subject = "";
  let done: ((o: CompactOutcome) => void) | null = null;
  let radioDone: ((r: CompactRadio) => void) | null = null;
  const radioNow: CompactRadio = { csq: 99, stat: -1, clock: "" };

  /** `value` in quotes once the one AT gate accepts it; else the refusal is kept (the run ends with it). */
  function q(value: string, max: number): string {
    bad = bad || atRefusal(value, max, true);
    return '"' + value + '"';
  }

  function after(ms: number, w: number): void {
    wait = w;
    timer = clock.setTimer(ms, resume);
  }

  function resume(): void {
    timer = null;
    const w = wait;
    // A line whose end was lost on the UART is read before the wait's end is judged: the
    // send's result would otherwise wait for the module's next line, and the mail go twice.
    // If it ended the wait (urc()), it decided.
    link.takeOpenLine();
    if (wait !== w) return;
    wait = W_NONE;
    if (w === W_PUT) fail(E_SEND_TIMEOUT, 0);
    else if (w === W_RDY) advance(); // no RDY: probe with AT all the same
    else next();
  }

  /** No timer, no wait and no command of this run left (a cancelled command's end is ignored). */
  function quiet(): void {
    clock.clearTimer(timer);
    timer = null;
    wait = W_NONE;
    const was = op;
    op = OP_NONE;
    link.cancel();
    op = was;
  }

  function start(what: number): void {
    op = what;
    bad = 0;
    const s: string[] = [];
    const cid = c.contextId;
    rungEnd = 0;
    if (reboot) {
      rungEnd = s.push("+CFUN=1,1");
      booted = pdp = configured = false;
    }
    if (deact) pdp = false;
    if (!booted) s.push(PROBE, "E1", "+CMEE=1", '+QURCCFG="urcport","uart1"', CPIN, CEREG);
    if (what === OP_RADIO) s.push("+CSQ", CEREG, "+CCLK?");
    // deact is only ever set for the retry of a mail (fail(); nothing else starts in between).
    if (what === OP_IDLE || deact) s.push(DEACT + cid);
    if (what === OP_SEND) {
      if (!pdp) s.push(pdpRow(c, q), QIACT, ACTIVATE + cid);
      if (deact) rungEnd = s.length;
      if (!configured) {
        sslRows(c, s);
        smtpRows(c, q, s);
      }
      mailAt = s.length;
      // A configuration sent in this boot means the module still holds the content of the send that failed.
      if (!resend || !configured) {
        s.push(CLEAR);
        // mail read three times rather than through a local: the bundle's bytes.
        [(mail as CompactMail).to, (mail as CompactMail).cc, (mail as CompactMail).bcc].forEach((list, t) => {
          for (let to of list) s.push("+QSMTPDST=1," + (t + 1) + "," + q(to, AT_FIELD_MAX));
        });
        s.push("+QSMTPSUB=" + subjectCharset + "," + q(subject, subjectCharset ? 2 * MAX_SUBJECT_BYTES : MAX_SUBJECT_BYTES), BODY + "1," + (body as Uint8Array).length + "," + BODY_INPUT_S);
      }
      s.push(PUT + c.putTimeoutS);
    }
    reboot = deact = resend = false;
    script = s;
    // Each step's name and information lines' prefix, derived here once per run: start()
    // runs on the outbox's turn, while advance() mostly runs inside the serial data handler,
    // whose time delays the port's service on Espruino (bench espruino.mail.handlerMsPerMail).
    names = s.map(stepName);
    prefixes = names.map((n) => n && (n.endsWith("=") || n.endsWith("?") ? n.slice(0, -1) : n) + ":");
    pos = -1;
    if (bad) return finish(bad, 0);
    advance();
  }

  function advance(): void {
    tries = 0;
    name = names[++pos];
    prefix = prefixes[pos];
    spec = STEPS[name] || PLAIN;
    since = clock.now();
    next();
  }

  /** Write the current step (again). */
  function next(): void {
    if (op === OP_NONE) return;
    const step = script[pos];
    if (step === undefined) return finish(0, 0);
    tries++;
    commands++;
    link.send(step, prefix, spec < 0 ? -spec : spec, name === BODY ? body : null, info, stepEnd);
  }

  /** Information lines of the current step. */
  function info(l: AtLink): void {
    // These steps' names are the whole command; the ones of every mail first.
    if (name === "+CSQ") radioNow.csq = l.int(0);
    else if (name === CEREG) radioNow.stat = l.int(1);
    else if (name === "+CCLK?") radioNow.clock = l.text(8, 1); // +CCLK: "yy/MM/dd,hh:mm:ss+zz"
    else if (name === BODY) mark = l.int(0); // bytes the module took
    else if (name === CPIN) mark = simState(l.text(7, 0)); // the state after "+CPIN: " (modem/polls.ts)
    else if (name === QIACT && l.int(0) === c.contextId && l.int(1) === 1) mark = 1;
  }

  function stepEnd(code: number): void {
    // The usual end (OK, its own echo, a step with nothing more to do): the next step. A
    // cancelled command's end (op is OP_NONE) is never 0.
    if (!code && !(name in STEPS) && link.echoed()) {
      timeouts = 0;
      return advance();
    }
    if (op === OP_NONE) return;
    const said = mark;
    let v = 0; // a poll's verdict (modem/polls.ts)
    mark = 0;
    if (code === E_TIMEOUT && name === PROBE) {
      // The module may still be starting: probe again, then give up.
      return tries < PROBES ? after(RETRY_MS, W_PAUSE) : fail(E_NO_BOOT, 0);
    }
    timeouts = code === E_TIMEOUT ? timeouts + 1 : 0;
    // Numeric errors are asked for, not needed: a module that keeps its format refuses (text or bare errors follow).
    if (name === "+CMEE=" && code === E_AT_ERROR) code = 0;
    // The module took another command than the one sent (its echo differs). A PUT is judged
    // by its result only: a second mail is worse than a doubt about the echo.
    if (!code && !link.echoed() && name !== PUT) code = E_GARBLED;
    if (name === "E1") link.echo = true;
    // A lost or changed byte costs a timeout, a plain ERROR, a wrong echo or a 664: the step is written again in
    // place when it may be, a step written once only when the module refused it (script.ts, the one rule of
    // both mailers; splits.test.ts parts 6 and 11 run both).
    // Not inlined by the minifier (reduce_funcs, rollup.config.mjs): it would write the function out
    // where it is called, as a closure made at every call (a good end makes no call at all).
    if (code && /*@__NOINLINE__*/ writeAgain(code) && tries < stepTries(STEPS, name, code)) return after(RETRY_MS, W_PAUSE);
    // The SIM's poll, by the one rule of both mailers (modem/polls.ts): READY goes on; a PIN or
    // PUK (a state but READY and NOT READY) is 11 at once; anything else that is not final (busy,
    // a bare ERROR where the module keeps CMEE=0, an OK without its state line) is asked again
    // after POLL_MS through the window, then E_SIM (1028, kind modem: the ladder's reboot).
    // Final kinds: 1, 2 and 6 (`% 6 < 3`).
    // The registration's poll, by the same rule (modem/polls.ts): every stat but registered is
    // asked again through the window, a denial (3) included.
    if (
      (name === CPIN && (v = simPoll(code, compactKind(code, 0) % 6 < 3, said, clock.now() - since, SIM_WAIT_MS))) ||
      (name === CEREG && !code && (v = regPoll(radioNow.stat, clock.now() - since, REG_WAIT_MS)))
    ) {
      return v < 0 ? after(POLL_MS, W_PAUSE) : fail(v, 0);
    }
    // A context that could not be configured or activated is E_PDP (1030, network), as the full
    // driver says it, unless the module's code is final (configuration, permanent, throttled:
    // kinds 1, 2 and 6; `% 6 > 2` keeps retryable, network and modem).
    if (code && (name === ACTIVATE || name === "+QICSGP=") && compactKind(code, 0) % 6 > 2) code = 1030;
    if (code) return fail(code, 0);
    if (name === PUT) return after(c.putTimeoutS * 1000 + PUT_MARGIN_MS, W_PUT);
    // Bytes lost on the way: the module ended the body short after its input time.
    if (name === BODY && said !== (body as Uint8Array).length) return fail(E_BODY_SHORT, 0);
    if (name === CEREG) booted = true; // registered: the polls above
    if (name === "+CFUN=") {
      lastReboot = clock.now();
      booted = pdp = configured = link.echo = false;
      return after(BOOT_WAIT_MS, W_RDY);
    }
    if (name === QIACT && said === 1) {
      pos++; // already up: skip AT+QIACT=<cid>
      pdp = true;
    }
    if (name === ACTIVATE) pdp = true;
    if (name === DEACT) pdp = false;
    if (name === CLEAR) configured = true; // every run's configuration rows come before it
    advance();
  }

  function urc(l: AtLink): void {
    // The mail's result first: it comes once per mail, the others hardly ever (the tests
    // exclude each other, so their order is free).
    // Also while the send runs (the URC overtook its OK) and in the pause after it failed (its
    // OK lost on the UART: the module was sending), as the full job takes it: never a second mail.
    if ((wait === W_PUT || name === PUT) && l.starts("+QSMTPPUT:")) {
      const err = l.int(0);
      if (err === 0) return finish(0, 0);
      const proto = l.int(1);
      fail(err === err ? err : E_SEND_TIMEOUT, proto === proto ? proto : 0);
    } else if (l.is("RDY")) {
      link.echo = false; // until ATE1 again
      if (wait === W_RDY) {
        quiet(); // the boot wait's timer (no command runs while it waits)
        return advance();
      }
      // A reboot we did not ask for: configuration, PDP and mail content are gone. While
      // probing it is only the module finishing its start (the next probe succeeds).
      booted = pdp = configured = false;
      if (op !== OP_NONE && name !== PROBE) fail(E_REBOOTED, 0);
    } else if (l.is("POWERED DOWN")) {
      booted = pdp = configured = false;
      if (op !== OP_NONE) finish(E_POWERED_DOWN, 0);
    } else if (l.starts('+QIURC: "pdpdeact"') && l.int(1) === c.contextId) {
      pdp = false;
      if (wait === W_PUT) fail(E_PDP_DEACT, 0);
    }
  }

  /** A step failed: the recovery ladder (mail/ladder.ts, the one table of both mailers) decides. */
  function fail(code: number, proto: number): void {
    quiet();
    if (op !== OP_SEND) return finish(code, proto);
    const kind = compactKind(code, proto);
    const put = name === PUT;
    // The ladder's conditions, by number, as this mailer knows them. 0: never here (the link
    // flushes no command, urc() ends the mail on POWERED DOWN, there is no socket path).
    // Below RETRYABLE or above MODEM: KIND_CONFIG, KIND_PERMANENT or KIND_THROTTLED (compactKind gives 1..6).
    const rung = rungFor([
      0, //                                          C_CANCELLED
      code === E_REBOOTED, //                        C_RESET (urc(): a RDY nobody asked for)
      kind < KIND_RETRYABLE || kind > KIND_MODEM, // C_FINAL
      0, //                                          C_POWERED_DOWN
      kind === KIND_MODEM || timeouts >= TIMEOUT_LIMIT, // C_SILENT
      0, //                                          C_DAMAGED
      pos < rungEnd, //                              C_RUNG_FAILED: the run's AT+CFUN=1,1, or its re-activation
      pos < mailAt, //                               C_BRINGUP: registration, PDP, the configuration rows
      kind === KIND_NETWORK, //                      C_NETWORK
      proto && used[R_RESEND], //                    C_SERVER_AGAIN
      put && code === 664, //                        C_BAD_CONTENT
      put, //                                        C_SENDING
      1, //                                          C_CONTENT
      // A rung has budget while this mail has not spent it (undefined: not taken yet); a reboot
      // also while none came within the spacing (the full driver's canReboot()).
    ], (r) => !(used[r] >= budgets[r]) && (r !== R_REBOOT || clock.now() - lastReboot >= REBOOT_SPACING_MS));
    // R_GIVE_UP, R_FAIL, R_END: the mail ends with its own cause.
    if (rung > R_RESTART) return finish(code, proto);
    log(LOG_WARN, "mail step " + pos + " failed: " + code + "/" + proto);
    used[rung] = -~used[rung]; // undefined -> 1
    recoveries++;
    reboot = rung === R_REBOOT;
    deact = rung === R_PDP;
    // A send is sent again with AT+QSMTPPUT alone, the module keeping the content until
    // AT+QSMTPCLR (unless it restarted: start()), as the full job resumes at its PUT after a
    // resend or a re-activation. Set only for this mail's next run (send() clears it).
    resend = put && rung < R_REBUILD; // R_RESEND or R_PDP (R_RETRY_PHASE is never a send's)
    // The pauses of the full job; the other rungs start the next run on a fresh turn.
    timer = clock.setTimer(rung === R_RETRY_PHASE ? PHASE_PAUSE_MS : rung === R_RESEND ? (code === 652 ? BUSY_PAUSE_MS : RESEND_PAUSE_MS) : 0, () => {
      timer = null;
      if (op === OP_SEND) start(OP_SEND);
    });
  }

  function finish(code: number, proto: number): void {
    quiet();
    const was = op;
    op = OP_NONE;
    // The outcome is handed over on a fresh turn (nextTurn): what the outbox starts with
    // it (the mail after a radio reading, the next mail) does not stack on this run. The
    // log line waits for that turn too: a run often ends inside the serial data handler,
    // and a console write is slow on Espruino (bench espruino.mail.handlerMsPerMail).
    if (was === OP_SEND) {
      const d = done as (o: CompactOutcome) => void;
      done = mail = body = null;
      const o: CompactOutcome = { delivered: !code, code: code, proto: proto, kind: code ? compactKind(code, proto) : 0, commands: commands, recoveries: recoveries };
      nextTurn(clock, () => {
        if (!code) log(LOG_INFO, "mail delivered");
        d(o);
      });
    } else if (was === OP_RADIO) {
      const d = radioDone as (r: CompactRadio) => void;
      radioDone = null;
      if (code) {
        radioNow.csq = 99;
        radioNow.stat = -1;
      }
      nextTurn(clock, () => d(radioNow));
    }
  }

  link.onUrc = urc;
  return {
    ready: () => op === OP_NONE,
    send(m: CompactMail, whenDone: (o: CompactOutcome) => void): number {
      if (op !== OP_NONE) return E_QUEUE_FULL;
      const all = m.to.concat(m.cc, m.bcc);
      if (m.to.length < 1 || all.length > MAX_RECIPIENTS) return E_RECIPIENTS;
      for (let to of all) {
        const refused = atRefusal(to, AT_FIELD_MAX, false);
        if (refused) return refused;
        if (addressRule(to)) return E_ADDRESS;
      }
      // A subject goes as ASCII when the AT gate takes it, else as UTF-8 hex (a '"' or
      // non-ASCII); control characters are refused either way (they would reach the header).
      if (!utf8Text(m.subject, MAX_SUBJECT_BYTES).bytes || oneLine(m.subject) !== m.subject) return E_SUBJECT;
      const text = utf8Text(m.body, MAX_BODY);
      if (!text.bytes || text.length < 1) return E_BODY_LENGTH;
      subjectCharset = atRefusal(m.subject, MAX_SUBJECT_BYTES, true) ? 1 : 0;
      subject = subjectCharset ? utf8Hex(m.subject) : m.subject;
      body = text.bytes;
      mail = m;
      done = whenDone;
      recoveries = commands = 0;
      used = [];
      resend = false; // a new mail's content is never on the module
      start(OP_SEND);
      return 0;
    },
    radio(whenDone: (r: CompactRadio) => void): void {
      radioNow.csq = 99;
      radioNow.stat = -1;
      radioNow.clock = "";
      if (op !== OP_NONE) return whenDone(radioNow);
      radioDone = whenDone;
      start(OP_RADIO);
    },
    idle(): void {
      if (op === OP_NONE && pdp) start(OP_IDLE);
    },
    close(): void {
      quiet();
      op = OP_NONE;
      link.onUrc = null;
    },
  };
}
