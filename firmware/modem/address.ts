// E-mail address syntax check, without regular expressions (they are unreliable on
// Espruino). Deliberately strict and ASCII-only, because the address also travels inside
// an AT command: local@domain, local part from RFC 5322 atext plus '.', domain of
// letters/digits/'-' labels separated by '.', at most 50 bytes (seed QSMTPDST limit).
import { CellError, cellError, KIND_CONFIG, E_ADDRESS } from "../errors.js";
import { atSafe, AT_FIELD_MAX } from "./quote.js";
import { codeAt } from "../text/code-at.js";

function isLabelChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

/** A letter, a digit or one of ! # $ % & ' * + - / = ? ^ _ ` { | } ~ (the label chars and more: '-' is in both). */
function isAtext(c: number): boolean {
  return isLabelChar(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(String.fromCharCode(c)) >= 0;
}

// Rules an address can break (addressRule), with the words addressError uses for them.
const R_LOCAL = 1; //        missing local part or '@'
const R_TWO_AT = 2;
const R_DOT = 3; //          misplaced '.' in the local part
const R_LOCAL_CHAR = 4;
const R_NO_DOMAIN = 5;
const R_LABEL = 6; //        empty or long domain label
const R_HYPHEN = 7;
const R_DOMAIN_CHAR = 8;

/**
 * 0 when `addr` (already accepted by atRefusal) is a usable address, else the rule it
 * breaks (R_*). The rule without texts: the compact profile uses it directly.
 */
export function addressRule(addr: string): number {
  // One pass over the chars by index, no substrings (text/code-at.ts: XS charges heap for
  // every property read of a string, and an address is checked on every mail).
  const n = addr.length;
  const at = addr.indexOf("@");
  if (at <= 0) return R_LOCAL;
  if (addr.indexOf("@", at + 1) >= 0) return R_TWO_AT;
  if (codeAt.call(addr, 0) === 46 || codeAt.call(addr, at - 1) === 46) return R_DOT;
  for (let i = 0; i < at; i++) {
    const c = codeAt.call(addr, i);
    if (c === 46) {
      if (codeAt.call(addr, i + 1) === 46) return R_DOT;
    } else if (!isAtext(c)) return R_LOCAL_CHAR;
  }
  let labelStart = at + 1;
  if (labelStart === n) return R_NO_DOMAIN;
  for (let i = labelStart; i <= n; i++) {
    const c = i === n ? 46 : codeAt.call(addr, i);
    if (c === 46) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return R_LABEL;
      if (codeAt.call(addr, labelStart) === 45 || codeAt.call(addr, i - 1) === 45) return R_HYPHEN;
      labelStart = i + 1;
    } else if (!isLabelChar(c)) {
      return R_DOMAIN_CHAR;
    }
  }
  return 0;
}

/** The first character of `part` that `ok` refuses (for the error text). */
function firstBad(part: string, ok: (c: number) => boolean): string {
  for (let i = 0; i < part.length; i++) if (!ok(part.charCodeAt(i))) return part.charAt(i);
  return "";
}

/** null when `addr` is a usable address; otherwise a KIND_CONFIG error naming `field`. */
export function addressError(addr: string, field: string): CellError | null {
  const safe = atSafe(addr, AT_FIELD_MAX, field, false);
  if (safe) return safe;
  const rule = addressRule(addr);
  if (rule === 0) return null;
  const at = addr.indexOf("@");
  let why = "";
  switch (rule) {
    case R_LOCAL: why = "missing local part or '@'"; break;
    case R_TWO_AT: why = "more than one '@'"; break;
    case R_DOT: why = "misplaced '.' in the local part"; break;
    case R_LOCAL_CHAR: why = "character '" + firstBad(addr.substring(0, at), (c) => c === 46 || isAtext(c)) + "' in the local part"; break;
    case R_NO_DOMAIN: why = "empty domain"; break;
    case R_LABEL: why = "empty or long domain label"; break;
    case R_HYPHEN: why = "domain label starts or ends with '-'"; break;
    default: why = "character '" + firstBad(addr.substring(at + 1), (c) => c === 46 || isLabelChar(c)) + "' in the domain";
  }
  return cellError(KIND_CONFIG, E_ADDRESS, field + " is not a valid address: " + why, field);
}
