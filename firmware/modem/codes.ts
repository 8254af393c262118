// Error results of the EC800/EC200 turned into typed errors: the engine's result or the
// +QSMTPPUT outcome -> CellError with the code, its kind (./kinds, the single source of the
// classification) and a cause. The cause's words come from an optional CauseTexts
// (firmware/ext/causes, carried by the compositions that have the room); without it the
// cause names the code and the command ("+CME ERROR: 14 (AT+CPIN)"), and the host
// describes the code (docs/error-codes.md, the simulator's runner).
import {
  KIND_CONFIG,
  KIND_RETRYABLE,
  E_AT_BUSY,
  E_AT_ERROR,
  E_CLOSED,
  E_CANCELLED,
  E_GARBLED,
  E_NO_CARRIER,
  E_REJECTED,
  E_SEND_FAIL,
  E_STREAM_DAMAGED,
  E_SMTP,
  E_TIMEOUT,
  CellError,
  cellError,
} from "../errors.js";
import {
  AtPort,
  AtResult,
  RESULT_CANCELLED,
  RESULT_CME,
  RESULT_CMS,
  RESULT_ERROR,
  RESULT_GARBLED,
  RESULT_DAMAGED,
  RESULT_NO_CARRIER,
  RESULT_OK,
  RESULT_REJECTED,
  RESULT_SEND_FAIL,
  RESULT_TIMEOUT,
} from "../at/types.js";
import { cmeKind, protoKind } from "./kinds.js";

/** Words for codes: "" when a code has none. */
export interface CauseTexts {
  /** +CME ERROR numbers (SMTP <err> 651-682 included). */
  cme(code: number): string;
  /** The <err> of +QSMTPPUT. */
  smtpErr(err: number): string;
  /** An SMTP server's reply code. */
  proto(code: number): string;
}

/** Map +CME ERROR text (AT+CMEE=2, or mixed sessions) to a number; -1 when unknown. */
export function cmeTextToCode(text: string): number {
  const t = text.toLowerCase();
  if (t.indexOf("sim busy") >= 0) return 14;
  if (t.indexOf("sim failure") >= 0) return 13;
  if (t.indexOf("sim not inserted") >= 0) return 10;
  if (t.indexOf("sim pin required") >= 0) return 11;
  if (t.indexOf("sim puk required") >= 0) return 12;
  if (t.indexOf("operation not allowed") >= 0) return 3;
  if (t.indexOf("operation not supported") >= 0) return 4;
  if (t.indexOf("already exist") >= 0) return 407;
  if (t.indexOf("not found") >= 0) return 405;
  if (t.indexOf("no network") >= 0) return 30;
  if (t.indexOf("phone failure") >= 0) return 0;
  return -1;
}

/** The command's name for messages: text before '=' or '?' (never its arguments: they may hold secrets). */
export function commandName(command: string): string {
  let end = command.length;
  const eq = command.indexOf("=");
  const q = command.indexOf("?");
  if (eq >= 0 && eq < end) end = eq;
  if (q >= 0 && q < end) end = q;
  return "AT" + command.substring(0, end);
}

/**
 * The error for a command the AT port refused (send() returned false): E_CLOSED of the
 * caller's kind when the engine is closed; else E_AT_BUSY (retryable): no room was left
 * behind the command in flight (without the optional command queue, firmware/ext/queue, the
 * engine holds one waiting command).
 */
export function refusal(port: AtPort, what: string, closedKind: number): CellError {
  if (port.room() < 0) return cellError(closedKind, E_CLOSED, "AT engine closed: " + what + " not sent", "");
  return cellError(KIND_RETRYABLE, E_AT_BUSY, "AT engine busy: " + what + " refused (no room behind the command in flight)", "");
}

/** Turn an engine result into a typed error, or null for OK. */
export function resultToError(result: AtResult, command: string, causes: CauseTexts | null): CellError | null {
  if (result.code === RESULT_OK) return null; // the name only for a failure: a string per command otherwise
  const name = commandName(command);
  switch (result.code) {
    case RESULT_TIMEOUT:
      return cellError(KIND_RETRYABLE, E_TIMEOUT, "no answer to " + name, "");
    case RESULT_CANCELLED:
      return cellError(KIND_RETRYABLE, E_CANCELLED, name + " cancelled (module reboot or flush)", "");
    case RESULT_REJECTED:
      return cellError(KIND_CONFIG, E_REJECTED, name + " rejected by the AT engine", "");
    case RESULT_NO_CARRIER:
      return cellError(KIND_RETRYABLE, E_NO_CARRIER, "NO CARRIER on " + name, "");
    case RESULT_ERROR:
      return cellError(KIND_RETRYABLE, E_AT_ERROR, "ERROR on " + name, "");
    case RESULT_SEND_FAIL:
      return cellError(KIND_RETRYABLE, E_SEND_FAIL, "SEND FAIL on " + name + " (the module's send buffer was full)", "");
    case RESULT_DAMAGED:
      return cellError(KIND_RETRYABLE, E_STREAM_DAMAGED, "the answer to " + name + " was damaged on the wire (bytes lost): its data, or whether it was sent, cannot be trusted", "");
    case RESULT_GARBLED:
      return cellError(KIND_RETRYABLE, E_GARBLED, "the module's echo of " + name + " differs from what was sent (a byte lost or changed on the wire)", "");
    case RESULT_CME:
    case RESULT_CMS: {
      let n = result.errorCode;
      if (n < 0 && result.errorText) n = cmeTextToCode(result.errorText);
      const kind = n >= 0 ? cmeKind(n) : 0;
      const text = kind && causes ? causes.cme(n) : "";
      if (text) return cellError(kind, n, text + " (" + name + ")", "");
      const what = result.errorText ? result.errorText : "" + n;
      return cellError(kind ? kind : KIND_RETRYABLE, n >= 0 ? n : E_AT_ERROR, "+CME ERROR: " + what + " (" + name + ")", "");
    }
  }
  return cellError(KIND_RETRYABLE, E_AT_ERROR, "unexpected result " + result.code + " on " + name, "");
}

/**
 * The outcome of +QSMTPPUT: <err>,<proto>. null for 0,0. When the server gave a
 * protocol code, its class decides (it is more specific than <err>).
 */
export function putResultToError(err: number, proto: number, causes: CauseTexts | null): CellError | null {
  if (err === 0) return null;
  const kind = err >= 651 && err <= 682 ? cmeKind(err) : 0;
  const text = kind && causes ? causes.smtpErr(err) : "";
  const e = kind
    ? cellError(kind, err, text ? text : "SMTP: error " + err, "")
    : cellError(KIND_RETRYABLE, err > 0 ? err : E_SMTP, "SMTP: error " + err, "");
  const pk = proto > 0 ? protoKind(proto) : 0;
  if (pk) {
    e.kind = pk;
    const said = causes ? causes.proto(proto) : "";
    if (e.cause.indexOf("" + proto) < 0) e.cause = e.cause + "; server: " + (said ? said : "SMTP " + proto);
  }
  e.proto = proto;
  return e;
}
