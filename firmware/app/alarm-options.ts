// From the validated configuration to what the alarm layer needs: the service's
// options (minus clock, store, mailer, log, wallTime that the application supplies)
// and one input rule per configured input.
import type { InputRule } from "../alarm/service.js";
import type { CellmailConfig } from "../config/types.js";

export interface AlarmSettings {
  board: string;
  to: string[];
  cc: string[];
  bcc: string[];
  coalesceMs: number;
  perRecipientPerHour: number;
  idleMs: number;
  heartbeatMs: number;
  capacity: number;
  maxAttempts: number;
}

export function alarmSettings(c: CellmailConfig): AlarmSettings {
  return {
    board: c.board,
    to: c.recipients.to.slice(0),
    cc: c.recipients.cc.slice(0),
    bcc: c.recipients.bcc.slice(0),
    coalesceMs: c.alarm.coalesceSeconds * 1000,
    perRecipientPerHour: c.alarm.perRecipientPerHour,
    idleMs: c.alarm.idleMinutes * 60000,
    heartbeatMs: c.alarm.heartbeatHours * 3600000,
    capacity: c.alarm.outboxSize,
    maxAttempts: c.alarm.maxAttempts,
  };
}

/** Input rules with their pin numbers (the platform opens the pins). */
export function inputRules(c: CellmailConfig): { pin: number; rule: InputRule }[] {
  const out: { pin: number; rule: InputRule }[] = [];
  for (const i of c.alarm.inputs) {
    out.push({
      pin: i.pin,
      rule: {
        key: i.key, title: i.title, activeLevel: i.activeLevel, debounceMs: i.debounceMs,
        notifyClear: i.notifyClear, raiseAtStart: i.raiseAtStart,
      },
    });
  }
  return out;
}
