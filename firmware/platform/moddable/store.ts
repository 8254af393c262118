// Moddable adapter: Store over the `preference` module (NVS on the ESP32). Mapped to the
// module `cellmail/store` by cellmail's library manifest for esp32; `lin` gets a file
// Store instead (lin/store.ts says why).
//
// ESP32 NVS limits: domain and key at most 15 characters, a value at most 4000 bytes.
// Values are stored as ArrayBuffers. Preference.set replaces a value as one NVS write,
// which is as atomic as the platform gets. Flash wears: callers batch their writes.
import Preference from "preference";
import type { Store } from "../types.js";

export const PREFERENCE_NAME_MAX = 15;
export const PREFERENCE_VALUE_MAX = 4000;

function checkName(what: string, name: string): void {
  if (name.length === 0 || name.length > PREFERENCE_NAME_MAX) {
    throw new RangeError(`preference ${what} must be 1-${PREFERENCE_NAME_MAX} characters: "${name}"`);
  }
}

export class PreferenceStore implements Store {
  private readonly domain: string;

  constructor(domain: string) {
    checkName("domain", domain);
    this.domain = domain;
  }

  read(key: string): Uint8Array | undefined {
    checkName("key", key);
    const value = Preference.get(this.domain, key);
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    return undefined;
  }

  write(key: string, value: Uint8Array): void {
    checkName("key", key);
    if (value.length > PREFERENCE_VALUE_MAX) {
      throw new RangeError(`preference value for "${key}" is ${value.length} bytes (max ${PREFERENCE_VALUE_MAX})`);
    }
    const buffer = value.buffer as ArrayBuffer;
    const whole = value.byteOffset === 0 && value.length === buffer.byteLength;
    Preference.set(this.domain, key, whole ? buffer : buffer.slice(value.byteOffset, value.byteOffset + value.length));
  }

  remove(key: string): void {
    checkName("key", key);
    Preference.delete(this.domain, key);
  }

  keys(): string[] {
    return Preference.keys(this.domain);
  }
}

/** The Store of this platform, from the flat settings (`storeDomain`, default "cellmail"). */
export function openStore(settings: { [name: string]: unknown }): Store {
  const domain = settings.storeDomain;
  return new PreferenceStore(typeof domain === "string" ? domain : "cellmail");
}

/** Where it is kept, for the start-up log. */
export function storeInfo(settings: { [name: string]: unknown }): string {
  const domain = settings.storeDomain;
  return 'preference domain "' + (typeof domain === "string" ? domain : "cellmail") + '"';
}
