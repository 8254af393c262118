// firmware/alarm: inputs and programmatic alarms -> the outbox every board runs -> an OutboxMailer.
export { createOutbox, HEARTBEAT_KEY, OVERFLOW_KEY, type FailedAlarm, type Outbox } from "./outbox.js";
export { alarmInputs, type AlarmInputs } from "./inputs.js";
export { createDebouncedInput, type DebouncedInput } from "./debounce.js";
export type { Alarm, OutboxMail, OutboxMailer, OutboxOutcome, OutboxRadio } from "./types.js";
