// How the earlier firmware's outbox kept a record (an entry, its meta record, the rate
// window): one record under one key, all or nothing across a power cut. The blob store
// (blob.ts) is the form Moddable and Node boards wrote; migrate.ts reads it back once.

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
