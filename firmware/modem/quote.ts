// The one gate for every string that goes into an AT command.
//
// A user-controlled string (address, name, server, user, password, APN, file name,
// ASCII subject) must not be able to end the command, open a new one or confuse the
// module's parser. The module has no escape syntax inside "...", so the only safe
// policy is to refuse: every byte must be printable ASCII 0x20..0x7E other than '"',
// and the whole string must fit the field's byte limit (50 for most fields, seed 2.3.1).
// That rules out CR, LF (command terminators), '"' (closes the string), all control
// bytes, and non-ASCII (the engine only sends ASCII commands; text that needs more goes
// hex-encoded, see text/utf8.ts). Commas and "AT+..." text are harmless inside quotes.
import { CellError, cellError, KIND_CONFIG, E_FIELD_EMPTY, E_FIELD_TOO_LONG, E_UNSAFE_CHAR } from "../errors.js";
import { codeAt } from "../text/code-at.js";

/** Byte limit of most string fields (QSMTPCFG, QSMTPDST, QSMTPATT file name). */
export const AT_FIELD_MAX = 50;

/**
 * Why `value` may not go inside "..." in an AT command, as a code (E_FIELD_EMPTY,
 * E_UNSAFE_CHAR, E_FIELD_TOO_LONG), or 0 when it is safe. The rule itself, without
 * texts: the compact profile uses it directly, atSafe adds the explanation.
 */
export function atRefusal(value: string, maxBytes: number, allowEmpty: boolean): number {
  if (typeof value !== "string") return E_FIELD_EMPTY;
  const n = value.length; // read once: text/code-at.ts
  if (n === 0 && !allowEmpty) return E_FIELD_EMPTY;
  for (let i = 0; i < n; i++) {
    const c = codeAt.call(value, i);
    if (c < 0x20 || c > 0x7e || c === 0x22) return E_UNSAFE_CHAR;
  }
  // All ASCII here, so characters == bytes.
  return n > maxBytes ? E_FIELD_TOO_LONG : 0;
}

/** Check a string for use inside "..." in an AT command; null when it is safe, else the error with its cause. */
export function atSafe(value: string, maxBytes: number, field: string, allowEmpty: boolean): CellError | null {
  const code = atRefusal(value, maxBytes, allowEmpty);
  if (code === 0) return null;
  if (code === E_FIELD_TOO_LONG) {
    return cellError(KIND_CONFIG, code, field + " is " + value.length + " bytes, limit " + maxBytes, field);
  }
  if (code === E_FIELD_EMPTY) {
    return cellError(KIND_CONFIG, code, field + (typeof value !== "string" ? " is not a string" : " is empty"), field);
  }
  let i = 0;
  let c = value.charCodeAt(0);
  while (c >= 0x20 && c <= 0x7e && c !== 0x22) c = value.charCodeAt(++i);
  const what = c === 0x0d ? "CR" : c === 0x0a ? "LF" : c === 0x22 ? "a double quote" : c > 0x7e ? "a non-ASCII character" : "a control character";
  return cellError(KIND_CONFIG, code, field + " contains " + what + " at position " + i, field);
}

/**
 * The quoting function: '"' + value + '"' when atSafe accepts it, otherwise throws the
 * CellError. Callers validate first (validation reports the error); the throw is the
 * last line of defence so no unchecked string can ever be formatted into a command.
 */
export function quoteAt(value: string, maxBytes: number, field: string): string {
  const e = atSafe(value, maxBytes, field, true);
  if (e) throw e;
  return '"' + value + '"';
}
