// E-mail address syntax check, without regular expressions (they are unreliable on
// Espruino). Deliberately strict and ASCII-only, because the address also travels inside
// an AT command: local@domain, local part from RFC 5322 atext plus '.', domain of
// letters/digits/'-' labels separated by '.', at most 50 bytes (seed QSMTPDST limit).
import { CellError, cellError, KIND_CONFIG, E_ADDRESS } from "../errors.js";
import { atSafe, AT_FIELD_MAX } from "./quote.js";

function isAtext(c: number): boolean {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  // ! # $ % & ' * + - / = ? ^ _ ` { | } ~
  return "!#$%&'*+-/=?^_`{|}~".indexOf(String.fromCharCode(c)) >= 0;
}

function isLabelChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

/** null when `addr` is a usable address; otherwise a KIND_CONFIG error naming `field`. */
export function addressError(addr: string, field: string): CellError | null {
  const safe = atSafe(addr, AT_FIELD_MAX, field, false);
  if (safe) return safe;
  const at = addr.indexOf("@");
  const bad = (why: string) => cellError(KIND_CONFIG, E_ADDRESS, field + " is not a valid address: " + why, field);
  if (at <= 0) return bad("missing local part or '@'");
  if (addr.indexOf("@", at + 1) >= 0) return bad("more than one '@'");
  const local = addr.substring(0, at);
  const domain = addr.substring(at + 1);
  if (local.charAt(0) === "." || local.charAt(local.length - 1) === "." || local.indexOf("..") >= 0) {
    return bad("misplaced '.' in the local part");
  }
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c !== 46 && !isAtext(c)) return bad("character '" + local.charAt(i) + "' in the local part");
  }
  if (domain.length === 0) return bad("empty domain");
  let labelStart = 0;
  for (let i = 0; i <= domain.length; i++) {
    if (i === domain.length || domain.charCodeAt(i) === 46) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return bad("empty or long domain label");
      if (domain.charCodeAt(labelStart) === 45 || domain.charCodeAt(i - 1) === 45) return bad("domain label starts or ends with '-'");
      labelStart = i + 1;
    } else if (!isLabelChar(domain.charCodeAt(i))) {
      return bad("character '" + domain.charAt(i) + "' in the domain");
    }
  }
  return null;
}
