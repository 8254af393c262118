// Espruino adapter: Store over require("Storage") (the journaling flash file store).
//
// Each key is one file named `<prefix><key>` (file names are at most 28 characters).
// Storage cannot hold an empty file, so every file starts with one format byte (1)
// followed by the value. Storage.write replaces a file in one call; the old copy stays
// valid until the new one is complete, which is as atomic as the platform gets.
// Replaced files are garbage until Storage.compact(), so callers batch their writes.
import type { Store } from "../types.js";

export const STORAGE_NAME_MAX = 28;
const FORMAT = 1;

export class EspruinoStore implements Store {
  private readonly prefix: string;
  private readonly storage: EspruinoStorage;

  /** `storage`: the Storage module; defaults to require("Storage") (tests pass a fake). */
  constructor(prefix: string, storage?: EspruinoStorage) {
    this.prefix = prefix;
    this.storage = storage ? storage : require("Storage");
  }

  read(key: string): Uint8Array | undefined {
    const mapped = this.storage.readArrayBuffer(this.name(key));
    if (!mapped || mapped.byteLength < 1) return undefined;
    const bytes = new Uint8Array(mapped);
    if (bytes[0] !== FORMAT) return undefined;
    // The mapped buffer lives in flash: copy it so the caller owns ordinary RAM.
    const value = new Uint8Array(bytes.length - 1);
    value.set(new Uint8Array(mapped, 1, bytes.length - 1), 0);
    return value;
  }

  write(key: string, value: Uint8Array): void {
    const file = new Uint8Array(value.length + 1);
    file[0] = FORMAT;
    file.set(value, 1);
    if (!this.storage.write(this.name(key), file)) throw new Error(`storage write failed: ${key}`);
  }

  remove(key: string): void {
    this.storage.erase(this.name(key));
  }

  keys(): string[] {
    const prefix = this.prefix;
    const all = this.storage.list();
    const out: string[] = [];
    for (const name of all) {
      if (name.length > prefix.length && name.indexOf(prefix) === 0) out.push(name.substring(prefix.length));
    }
    return out;
  }

  private name(key: string): string {
    const name = this.prefix + key;
    if (key.length === 0 || name.length > STORAGE_NAME_MAX) {
      throw new RangeError(`storage key must make a name of 1-${STORAGE_NAME_MAX} characters: "${name}"`);
    }
    return name;
  }
}
