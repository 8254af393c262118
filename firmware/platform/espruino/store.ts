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

/** `storage`: the Storage module; defaults to require("Storage") (tests pass a fake). */
export function createEspruinoStore(prefix: string, storage?: EspruinoStorage): Store {
  const files = storage || require("Storage");
  function name(key: string): string {
    const full = prefix + key;
    if (!key.length || full.length > STORAGE_NAME_MAX) throw new RangeError("storage name: " + full);
    return full;
  }
  return {
    read(key: string): Uint8Array | undefined {
      const mapped = files.readArrayBuffer(name(key));
      // An empty file's first byte reads as undefined, which is not FORMAT either.
      if (!mapped || new Uint8Array(mapped)[0] !== FORMAT) return undefined;
      // The mapped buffer lives in flash: copy it so the caller owns ordinary RAM.
      return new Uint8Array(mapped, 1).slice();
    },
    write(key: string, value: Uint8Array): void {
      const file = new Uint8Array(value.length + 1);
      file[0] = FORMAT;
      file.set(value, 1);
      if (!files.write(name(key), file)) throw new Error("storage write failed: " + key);
    },
    remove(key: string): void {
      files.erase(name(key));
    },
    keys(): string[] {
      const out: string[] = [];
      for (let file of files.list()) {
        if (file.length > prefix.length && file.indexOf(prefix) === 0) out.push(file.substring(prefix.length));
      }
      return out;
    },
  };
}
