// From the device record to what the alarm layer needs: the service's options (minus
// clock, store, mailer, log, wallTime that the application supplies) and one input rule
// per configured input.
import type { InputRule } from "../alarm/service.js";
import type { DeviceConfig } from "../config/device.js";

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

export function alarmSettings(c: DeviceConfig): AlarmSettings {
  return {
    board: c.board,
    to: c.to.slice(0),
    cc: c.cc.slice(0),
    bcc: c.bcc.slice(0),
    coalesceMs: c.coalesceMs,
    perRecipientPerHour: c.perHour,
    idleMs: c.idleMs,
    heartbeatMs: c.heartbeatMs,
    capacity: c.capacity,
    maxAttempts: c.maxAttempts,
  };
}

/** Input rules with their pin numbers (the platform opens the pins). */
export function inputRules(c: DeviceConfig): { pin: number; rule: InputRule }[] {
  const out: { pin: number; rule: InputRule }[] = [];
  for (let i = 0; i < c.inputs.length; i++) {
    const r = c.inputs[i];
    out.push({
      pin: r.pin,
      rule: {
        key: r.key, title: r.title, activeLevel: r.activeLevel, debounceMs: r.debounceMs,
        notifyClear: r.notifyClear, raiseAtStart: r.raiseAtStart,
      },
    });
  }
  return out;
}
