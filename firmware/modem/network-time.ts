// The module's clock, as AT+CCLK? reports it once the network has set it (NITZ):
// "yy/MM/dd,hh:mm:ss±zz", local time plus the offset in quarter hours (3GPP 27.007).
// Turned into ms since 1970 (UTC) with plain arithmetic: no Date, no regular expression,
// so it runs the same on XS and Espruino.
import { codeAt } from "../text/code-at.js";

/** Before the network sets it, a module's clock reads an old default; such years are not trusted. */
const MIN_YEAR = 2024;

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = codeAt.call(s, i) - 48; // text/code-at.ts
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian; H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The UTC time of a +CCLK value (quotes removed), or -1 when it is malformed or not yet set by the network. */
export function parseCclk(s: string): number {
  // yy/MM/dd,hh:mm:ss±zz: 20 characters
  if (s.length < 20 || s.charAt(2) !== "/" || s.charAt(5) !== "/" || s.charAt(8) !== "," || s.charAt(11) !== ":" || s.charAt(14) !== ":") return -1;
  // Two-digit years: 70-99 are 1970-1999 (a default such as "80/01/06" is GPS's 1980 epoch, not 2080).
  const yy = digits(s, 0, 2);
  const year = yy < 0 ? -1 : yy >= 70 ? 1900 + yy : 2000 + yy;
  const month = digits(s, 3, 2);
  const day = digits(s, 6, 2);
  const hour = digits(s, 9, 2);
  const minute = digits(s, 12, 2);
  const second = digits(s, 15, 2);
  const sign = s.charAt(17);
  const quarters = digits(s, 18, s.length - 18);
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return -1;
  if ((sign !== "+" && sign !== "-") || quarters < 0 || quarters > 96) return -1;
  const local = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000;
  const offset = quarters * 15 * 60000;
  return sign === "+" ? local - offset : local + offset;
}
