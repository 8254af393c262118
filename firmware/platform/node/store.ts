// Node adapter: a Store in a directory, one file per key.
//
// A write goes to a temporary file, is fsync'ed, and is renamed over the old file, so a
// crash leaves either the old value or the new one, never a torn file. Keys are encoded
// into file names with encodeURIComponent, so no key can name a path outside the directory.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../types.js";

const SUFFIX = ".bin";

function encodeKey(key: string): string {
  if (key.length === 0) throw new RangeError("store key must not be empty");
  // "/" and every other unsafe character become %XX; the suffix keeps "." and ".." harmless.
  return encodeURIComponent(key);
}

export class FileStore implements Store {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  read(key: string): Uint8Array | undefined {
    try {
      return new Uint8Array(readFileSync(this.path(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  write(key: string, value: Uint8Array): void {
    const path = this.path(key);
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, value, 0, value.length);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }

  remove(key: string): void {
    rmSync(this.path(key), { force: true });
  }

  keys(): string[] {
    const out: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(SUFFIX)) out.push(decodeURIComponent(name.slice(0, -SUFFIX.length)));
    }
    return out.sort();
  }

  private path(key: string): string {
    return join(this.dir, encodeKey(key) + SUFFIX);
  }
}
