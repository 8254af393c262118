// firmware/alarm: inputs and programmatic alarms -> persisted outbox -> AlarmMailer.
export { AlarmService } from "./service.js";
export type { AlarmServiceOptions, InputRule } from "./service.js";
export { createDebouncedInput, type DebouncedInput } from "./debounce.js";
export type { Alarm, AlarmMail, AlarmMailer, EntryInfo, RadioStatus, SendOutcome } from "./types.js";
export { ENTRY_DONE, ENTRY_FAILED, ENTRY_QUEUED, ENTRY_SENDING, STATE_NAMES, HEARTBEAT_KEY, OVERFLOW_KEY } from "./types.js";
export { StoreRecords, storeRecords, type Records, type RecordsOf } from "./records.js";
