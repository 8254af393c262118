// Where the alarm layer keeps its records (an outbox entry, the outbox's meta record, the
// rate limiter's window): one record under one key. The core writes each record as one
// Store value (StoreRecords), which every Store replaces atomically (platform/types.ts), so
// a power cut leaves the old record or the new one: enough for a Store without a value
// limit (a file on Node, Espruino's Storage). A Store that limits values (Moddable
// Preference on the ESP32: 4,000 bytes) needs the optional blob store instead
// (firmware/ext/blob-store), which splits a record across keys and keeps it all-or-nothing;
// the target that has such a Store composes it (AlarmServiceOptions.records).
import type { Store } from "../platform/types.js";

export interface Records {
  /** The record, or undefined when absent or found damaged (then counted in `corrupt`). */
  read(key: string): Uint8Array | undefined;
  /** Replace the record, all or nothing across a power cut. */
  write(key: string, payload: Uint8Array): void;
  remove(key: string): void;
  /** Remove what a power cut left behind under keys starting with `prefix` (start-up, before any write); how many keys went. */
  sweep(prefix: string): number;
  /** Records `read` found damaged. */
  corrupt: number;
}

/** Makes the Records of a Store (one for the outbox, one for the rate limiter). */
export type RecordsOf = (store: Store) => Records;

/** A record is one Store value: nothing to split, nothing a cut can leave behind. */
export class StoreRecords implements Records {
  private store: Store;
  corrupt = 0;

  constructor(store: Store) {
    this.store = store;
  }

  read(key: string): Uint8Array | undefined {
    return this.store.read(key);
  }

  write(key: string, payload: Uint8Array): void {
    this.store.write(key, payload);
  }

  remove(key: string): void {
    this.store.remove(key);
  }

  sweep(): number {
    return 0;
  }
}

/** The core's default: every record in one Store value. */
export const storeRecords: RecordsOf = (store: Store) => new StoreRecords(store);
