// Moddable adapter for `lin` (Moddable's Linux build): a Store of one file per key in a
// directory, over the SDK's `file` module. Mapped to the module `cellmail/store` by
// cellmail's library manifest for `lin` (the ESP32 keeps NVS through ../store.ts).
//
// Why not the SDK's `preference` on lin: its lin implementation (modules/files/preference/
// lin/preference.js) reads its whole JSON file into a static field when the module is
// loaded. cellmail's module is preloaded, which preloads `preference` too: the field is
// filled at build time, on the build machine, and kept in the image, so at run time the
// file is never read; and every save deletes the file, creates it again and throws writing
// it (line 59, `file.write(JSON.stringify(#cache))`, SDK 8.2.3), inside a try that drops
// the error: set() returns, the value lives in RAM only, the file stays empty. Even when
// it works, a cut between the delete and the write loses every key.
//
// Here: nothing is read at load time; each key is its own file, written to `<key>.new`
// and renamed over the old one (rename is atomic on POSIX), so a cut keeps the old value or
// the new one. The SDK's file module flushes (fflush) but cannot fsync: a killed process
// loses nothing, a power cut of the whole machine may lose the last write to the page cache.
//
// The directory is the flat setting `storeRoot` (default /tmp/cellmail/). /tmp is emptied
// at a reboot on most systems: give a directory that survives one (`storeRoot=/var/lib/
// cellmail/` on the mcconfig command line) for a real installation.
import { Directory, File, Iterator } from "file";
import type { Store } from "../../types.js";

const DEFAULT_ROOT = "/tmp/cellmail/";
const NEW = ".new";
const KEY_MAX = 15;

function checkKey(key: string): void {
  if (key.length === 0 || key.length > KEY_MAX || key.indexOf("/") >= 0 || key.charAt(0) === "." || key.indexOf(NEW) >= 0) {
    throw new RangeError('store key must be 1-15 characters, no "/", not starting with ".": "' + key + '"');
  }
}

/** Create `path` and every missing parent (Directory.create makes one level). */
function makeDirs(path: string): void {
  let at = path.indexOf("/", 1);
  while (at > 0) {
    Directory.create(path.substring(0, at));
    at = path.indexOf("/", at + 1);
  }
}

export class FileStore implements Store {
  private readonly root: string;

  constructor(root: string) {
    this.root = root.charAt(root.length - 1) === "/" ? root : root + "/";
    if (this.root.charAt(0) !== "/") throw new RangeError("storeRoot must be an absolute path: " + root);
    makeDirs(this.root);
  }

  read(key: string): Uint8Array | undefined {
    checkKey(key);
    const path = this.root + key;
    if (!File.exists(path)) return undefined;
    const file = new File(path);
    try {
      return file.length > 0 ? new Uint8Array(file.read(ArrayBuffer)) : new Uint8Array(0);
    } finally {
      file.close();
    }
  }

  write(key: string, value: Uint8Array): void {
    checkKey(key);
    const path = this.root + key;
    File.delete(path + NEW); // a leftover of a cut write
    const file = new File(path + NEW, true);
    try {
      const buffer = value.buffer as ArrayBuffer;
      const whole = value.byteOffset === 0 && value.length === buffer.byteLength;
      if (value.length > 0) file.write(whole ? buffer : buffer.slice(value.byteOffset, value.byteOffset + value.length));
    } finally {
      file.close();
    }
    if (!File.rename(path + NEW, path)) throw new Error("store: cannot rename " + path + NEW);
  }

  remove(key: string): void {
    checkKey(key);
    File.delete(this.root + key);
  }

  keys(): string[] {
    const out: string[] = [];
    const it = new Iterator(this.root);
    for (let entry = it.next(); entry !== undefined; entry = it.next()) {
      const name = entry.name;
      if (entry.length !== undefined && name.charAt(0) !== "." && name.indexOf(NEW) < 0) out.push(name);
    }
    return out;
  }
}

/** The Store of this platform, from the flat settings (`storeRoot`). */
export function openStore(settings: { [name: string]: unknown }): Store {
  const root = settings.storeRoot;
  return new FileStore(typeof root === "string" && root !== "" ? root : DEFAULT_ROOT);
}

/** Where it is kept, for the start-up log. */
export function storeInfo(settings: { [name: string]: unknown }): string {
  const root = settings.storeRoot;
  return "files in " + (typeof root === "string" && root !== "" ? root : DEFAULT_ROOT);
}
