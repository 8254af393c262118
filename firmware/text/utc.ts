// Calendar fields of a time in UTC without Date (its methods differ between XS and
// Espruino, and the core never relies on a platform's time zone): H. Hinnant's
// civil_from_days, the inverse of daysFromCivil in modem/network-time.ts. Shared by the
// alarm mail's times where a board knows the wall clock (app/cellmail.ts) and the MIME
// writer's Date header (ext/smtp/headers.ts).

export interface UtcParts {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 Sunday .. 6 Saturday */
  weekday: number;
}

/**
 * The UTC date of `days` since 1970 as one number, year * 10000 + month * 100 + day (no
 * object: the Date header of every socket mail reads it, bench xs.socket.mail.*).
 */
export function utcDate(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + (doy - Math.floor((153 * mp + 2) / 5) + 1);
}

/** The UTC calendar fields of `ms` since 1970. */
export function utcParts(ms: number): UtcParts {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  let rem = secs - days * 86400;
  const hour = Math.floor(rem / 3600);
  rem -= hour * 3600;
  const minute = Math.floor(rem / 60);
  const ymd = utcDate(days);
  return {
    year: Math.floor(ymd / 10000),
    month: Math.floor(ymd / 100) % 100,
    day: ymd % 100,
    hour: hour,
    minute: minute,
    second: rem - minute * 60,
    weekday: (((days + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday (4)
  };
}

/** Two digits ("07"). */
export function twoDigits(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/** "2024-05-01 12:34:56 UTC" from ms since 1970. */
export function utcText(ms: number): string {
  const t = utcParts(ms);
  const two = twoDigits;
  return t.year + "-" + two(t.month) + "-" + two(t.day) + " " + two(t.hour) + ":" + two(t.minute) + ":" + two(t.second) + " UTC";
}
