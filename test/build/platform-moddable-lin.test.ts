// The Moddable adapters of the `lin` build (firmware/platform/moddable/lin/): the file
// Store and `embedded:io/digital` over the Linux GPIO sysfs layout, against a fake of the
// SDK's `file` module that behaves like its lin implementation (modules/files/file/lin/
// modFile.c: open "rb+", else create "wb+" when writing; read past the end throws; rename
// of a bare name stays in the directory) on a real temporary directory, and a `timer` the
// test ticks. The real runtime runs them in `npm run test:moddable`.
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store } from "../../firmware/platform/types.js";

class FakeFile {
  private fd: number;
  position = 0;
  constructor(path: string, write?: boolean) {
    try {
      this.fd = openSync(path, write ? "r+" : "r");
    } catch {
      if (!write) throw new Error("file not found");
      this.fd = openSync(path, "w+");
    }
  }
  get length(): number {
    return fstatSync(this.fd).size;
  }
  read(type: unknown, count?: number): string | ArrayBuffer {
    const size = this.length;
    if (this.position >= size) throw new Error("read past end of file");
    const n = count === undefined || this.position + count > size ? size - this.position : count;
    const b = Buffer.alloc(n);
    readSync(this.fd, b, 0, n, this.position);
    this.position += n;
    return type === String ? b.toString("latin1") : b.buffer.slice(b.byteOffset, b.byteOffset + n);
  }
  write(...items: Array<string | ArrayBuffer>): void {
    for (const item of items) {
      const b = typeof item === "string" ? Buffer.from(item, "latin1") : Buffer.from(item);
      writeSync(this.fd, b, 0, b.length, this.position);
      this.position += b.length;
    }
  }
  close(): void {
    closeSync(this.fd);
  }
  static delete(path: string): boolean {
    try {
      unlinkSync(path);
      return true;
    } catch {
      return false;
    }
  }
  static exists(path: string): boolean {
    return existsSync(path);
  }
  static rename(from: string, to: string): boolean {
    renameSync(from, to.startsWith("/") ? to : join(dirname(from), to));
    return true;
  }
}

class FakeIterator {
  private names: string[];
  constructor(private path: string) {
    this.names = readdirSync(path);
  }
  next(): { name: string; length?: number } | undefined {
    const name = this.names.shift();
    if (name === undefined) return undefined;
    const st = statSync(join(this.path, name));
    return st.isDirectory() ? { name } : { name, length: st.size };
  }
}

const FakeDirectory = {
  create(path: string): void {
    try {
      mkdirSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new Error("failed");
    }
  },
};

/** Timer.repeat callbacks, ticked by the test. */
const repeats = new Set<{ fn: () => void }>();
const config: { gpioRoot?: string } = {};

vi.mock("file", () => ({ File: FakeFile, Iterator: FakeIterator, Directory: FakeDirectory }));
vi.mock("timer", () => ({
  default: {
    repeat: (fn: () => void) => {
      const t = { fn };
      repeats.add(t);
      return t;
    },
    clear: (t: { fn: () => void }) => repeats.delete(t),
  },
}));
vi.mock("mc/config", () => ({ default: config }));

// Imported by URL so that the host type-check does not pull the Moddable modules in
// (tsconfig.moddable.json checks them against the SDK's typings).
const load = (path: string) => import(/* @vite-ignore */ new URL(path, import.meta.url).href);
const { FileStore, openStore } = (await load("../../firmware/platform/moddable/lin/store.ts")) as {
  FileStore: new (root: string) => Store;
  openStore: (settings: Record<string, unknown>) => Store;
};
interface Pin {
  read(): number;
  write(v: number): void;
  close(): void;
}
interface DigitalClass {
  new (o: { pin: number; mode: number; edge?: number; onReadable?: (this: Pin) => void }): Pin;
  Input: number;
  InputPullUp: number;
  Output: number;
  Rising: number;
  Falling: number;
}
const Digital = ((await load("../../firmware/platform/moddable/lin/digital.ts")) as { default: DigitalClass }).default;

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-lin-"));
  repeats.clear();
  config.gpioRoot = undefined;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tick = () => {
  for (const t of [...repeats]) t.fn();
};

describe("FileStore (lin)", () => {
  it("keeps each key in its own file, creates the directory, and reads back what was written", () => {
    const root = join(dir, "a", "b") + "/";
    const store = new FileStore(root);
    store.write("cm.o1", new Uint8Array([1, 2, 3]));
    const big = new Uint8Array([9, 4, 5, 9]);
    store.write("cm.t", big.subarray(1, 3));
    expect([...readFileSync(join(root, "cm.o1"))]).toEqual([1, 2, 3]);
    expect([...store.read("cm.t")!]).toEqual([4, 5]);
    expect(store.keys().sort()).toEqual(["cm.o1", "cm.t"]);
    expect(store.read("missing")).toBeUndefined();
    store.remove("cm.o1");
    expect(store.keys()).toEqual(["cm.t"]);
  });

  it("replaces a value whole (a shorter one leaves no tail of the old), and an empty value reads back empty", () => {
    const store = new FileStore(dir);
    store.write("k", new Uint8Array(100).fill(7));
    store.write("k", new Uint8Array([1]));
    expect([...store.read("k")!]).toEqual([1]);
    store.write("k", new Uint8Array(0));
    expect(store.read("k")!.length).toBe(0);
  });

  it("survives a cut write: a leftover .new file is neither a key nor read, and the old value stays", () => {
    const store = new FileStore(dir);
    store.write("k", new Uint8Array([1, 2]));
    writeFileSync(join(dir, "k.new"), Buffer.from([9, 9, 9])); // the cut happened before the rename
    expect(store.keys()).toEqual(["k"]);
    expect([...store.read("k")!]).toEqual([1, 2]);
    store.write("k", new Uint8Array([3]));
    expect([...store.read("k")!]).toEqual([3]);
    expect(readdirSync(dir)).toEqual(["k"]);
  });

  it("state lives in the files only: a second store on the same directory (a restart) sees everything", () => {
    new FileStore(dir).write("cm.m", new Uint8Array([5]));
    expect([...new FileStore(dir).read("cm.m")!]).toEqual([5]);
  });

  it("refuses keys that are not plain names of 1-15 characters, and a relative root", () => {
    const store = new FileStore(dir);
    for (const k of ["", "a/b", ".hidden", "sixteen-chars-xx", "x.new"]) expect(() => store.write(k, new Uint8Array(1))).toThrow(RangeError);
    expect(() => new FileStore("relative/dir")).toThrow(RangeError);
  });

  it("openStore takes storeRoot from the flat settings", () => {
    openStore({ storeRoot: join(dir, "s") }).write("x", new Uint8Array([1]));
    expect(existsSync(join(dir, "s", "x"))).toBe(true);
  });
});

describe("embedded:io/digital (lin, sysfs layout)", () => {
  function gpio(pin: number, level: string): string {
    const d = join(dir, `gpio${pin}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "value"), level);
    return d;
  }

  it("opens a pin under gpioRoot as an input, reads its level, and calls onReadable on the requested edges", () => {
    config.gpioRoot = dir + "/";
    const d = gpio(0, "1\n");
    const seen: number[] = [];
    const pin = new Digital({
      pin: 0,
      mode: Digital.InputPullUp,
      edge: Digital.Falling,
      onReadable(this: Pin) {
        seen.push(this.read());
      },
    });
    expect(readFileSync(join(d, "direction"), "utf8")).toBe("in");
    expect(pin.read()).toBe(1);
    tick();
    expect(seen).toEqual([]);
    writeFileSync(join(d, "value"), "0\n");
    tick();
    tick();
    expect(seen).toEqual([0]); // one falling edge
    writeFileSync(join(d, "value"), "1\n");
    tick();
    expect(seen).toEqual([0]); // rising: not asked for
    pin.close();
    writeFileSync(join(d, "value"), "0\n");
    tick();
    expect(seen).toEqual([0]);
    expect(repeats.size).toBe(0);
  });

  it("both edges when asked for both", () => {
    config.gpioRoot = dir;
    const d = gpio(7, "0");
    const seen: number[] = [];
    new Digital({
      pin: 7,
      mode: Digital.Input,
      edge: Digital.Rising | Digital.Falling,
      onReadable(this: Pin) {
        seen.push(this.read());
      },
    });
    for (const v of ["1", "1", "0", "1"]) {
      writeFileSync(join(d, "value"), v);
      tick();
    }
    expect(seen).toEqual([1, 0, 1]);
  });

  it("exports a pin that is not there yet, and says so clearly when it still is not", () => {
    config.gpioRoot = dir;
    expect(() => new Digital({ pin: 3, mode: Digital.Input })).toThrow(/GPIO 3 not found/);
    expect(readFileSync(join(dir, "export"), "utf8")).toBe("3");
  });

  it("an output writes its value", () => {
    config.gpioRoot = dir;
    const d = gpio(5, "0");
    const pin = new Digital({ pin: 5, mode: Digital.Output });
    expect(readFileSync(join(d, "direction"), "utf8")).toBe("out");
    pin.write(1);
    expect(readFileSync(join(d, "value"), "utf8")).toBe("1");
  });
});
