// The Moddable adapters against fakes of the SDK modules that behave like the real
// ports: ESP32 (read(view) in place, write throws "output full" past the FIFO room) and
// the Linux `lin` port (read(n) only, write takes only a whole ArrayBuffer).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Store, Uart, UartSink } from "../../firmware/platform/types.js";

interface FakePortOptions {
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  format?: string;
  device?: string;
  port?: number;
}

const ports: FakeSerial[] = [];
const prefs = new Map<string, unknown>();

class FakeSerial {
  static inPlace = true;
  options: FakePortOptions;
  rxQueue: number[] = [];
  written: number[] = [];
  room = 16;
  closed = false;
  constructor(options: FakePortOptions) {
    this.options = options;
    ports.push(this);
  }
  read(arg?: unknown): unknown {
    if (this.rxQueue.length === 0) return undefined;
    if (arg instanceof Uint8Array) {
      if (!FakeSerial.inPlace) return new ArrayBuffer(0); // lin: the view counts as 0
      const n = Math.min(arg.length, this.rxQueue.length);
      for (let i = 0; i < n; i++) arg[i] = this.rxQueue.shift()!;
      return n;
    }
    const n = Math.min(typeof arg === "number" ? arg : this.rxQueue.length, this.rxQueue.length);
    return new Uint8Array(this.rxQueue.splice(0, n)).buffer;
  }
  write(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) throw new Error("not an ArrayBuffer");
    if (data.byteLength > this.room) throw new Error("output full");
    this.room -= data.byteLength;
    this.written.push(...new Uint8Array(data));
  }
  close(): void {
    this.closed = true;
  }
  receive(bytes: number[]): void {
    this.rxQueue.push(...bytes);
    this.options.onReadable!(this.rxQueue.length);
  }
  drain(room: number): void {
    this.room = room;
    this.options.onWritable!(room);
  }
}

vi.mock("embedded:io/serial", () => ({ default: FakeSerial }));
vi.mock("preference", () => ({
  default: {
    set: (d: string, k: string, v: unknown) => prefs.set(`${d}/${k}`, v),
    get: (d: string, k: string) => prefs.get(`${d}/${k}`),
    delete: (d: string, k: string) => prefs.delete(`${d}/${k}`),
    keys: (d: string) => [...prefs.keys()].filter((k) => k.startsWith(d + "/")).map((k) => k.slice(d.length + 1)),
  },
}));

// Imported by URL so that the host type-check (tsconfig.json, Node types) does not pull
// the Moddable adapters in; they are type-checked by tsconfig.moddable.json.
type Ctor<T> = new (...args: any[]) => T;
const load = (path: string) => import(/* @vite-ignore */ new URL(path, import.meta.url).href);
const { ModdableUart } = (await load("../../firmware/platform/moddable/serial.ts")) as { ModdableUart: Ctor<Uart> };
const { PreferenceStore } = (await load("../../firmware/platform/moddable/store.ts")) as { PreferenceStore: Ctor<Store> };

function recordingSink(): UartSink & { bytes: number[]; writable: number } {
  const sink = {
    bytes: [] as number[],
    writable: 0,
    onBytes(data: Uint8Array, start: number, end: number) {
      for (let i = start; i < end; i++) sink.bytes.push(data[i]);
    },
    onWritable() {
      sink.writable++;
    },
  };
  return sink;
}

describe("ModdableUart", () => {
  beforeEach(() => {
    ports.length = 0;
    FakeSerial.inPlace = true;
  });

  it("opens the port in buffer format and passes device through (lin)", () => {
    new ModdableUart({ serial: { port: 0, receive: 1, transmit: 2, baud: 115200, device: "/dev/pts/3" } });
    expect(ports[0].options.format).toBe("buffer");
    expect(ports[0].options.device).toBe("/dev/pts/3");
  });

  for (const inPlace of [true, false]) {
    it(`delivers received bytes (${inPlace ? "read(view) in place" : "read(n) fallback"}), more than the buffer holds`, () => {
      FakeSerial.inPlace = inPlace;
      const uart = new ModdableUart({ serial: { port: 2, receive: 16, transmit: 17, baud: 115200 }, rxSize: 8 });
      const sink = recordingSink();
      uart.attach(sink);
      const data = Array.from({ length: 20 }, (_, i) => (i * 37) & 0xff);
      ports[0].receive(data);
      expect(sink.bytes).toEqual(data);
      ports[0].receive([0x80, 0xff, 0x0d, 0x0a]);
      expect(sink.bytes.slice(20)).toEqual([0x80, 0xff, 0x0d, 0x0a]);
    });
  }

  it("honours back-pressure: takes only the room onWritable reported, then signals the sink", () => {
    const uart = new ModdableUart({ serial: { port: 2, receive: 16, transmit: 17, baud: 115200 } });
    const sink = recordingSink();
    uart.attach(sink);
    const data = new Uint8Array(40).map((_, i) => i + 0x70);
    // No onWritable yet: nothing is known to fit.
    expect(uart.write(data, 0, 40)).toBe(0);
    ports[0].drain(16);
    expect(sink.writable).toBe(1);
    let at = 0;
    at += uart.write(data, at, 40);
    expect(at).toBe(16);
    expect(uart.write(data, at, 40)).toBe(0);
    ports[0].drain(16);
    at += uart.write(data, at, 40);
    ports[0].drain(16);
    at += uart.write(data, at, 40);
    expect(at).toBe(40);
    expect(ports[0].written).toEqual([...data]);
    expect(sink.writable).toBe(3);
  });

  it("survives a port that refuses a write it was told would fit", () => {
    const uart = new ModdableUart({ serial: { port: 2, receive: 16, transmit: 17, baud: 115200 } });
    const sink = recordingSink();
    uart.attach(sink);
    ports[0].drain(16);
    ports[0].room = 2; // the port's own buffer is fuller than reported
    expect(uart.write(new Uint8Array(10), 0, 10)).toBe(0);
    ports[0].drain(16);
    expect(sink.writable).toBe(1); // only the refused write asked for a signal
    expect(uart.write(new Uint8Array(10), 0, 10)).toBe(10);
  });

  it("close() closes the port and stops delivery", () => {
    const uart = new ModdableUart({ serial: { port: 2, receive: 16, transmit: 17, baud: 115200 } });
    const sink = recordingSink();
    uart.attach(sink);
    const port = ports[0];
    uart.close();
    expect(port.closed).toBe(true);
    expect(uart.write(new Uint8Array(4), 0, 4)).toBe(0);
  });
});

describe("PreferenceStore", () => {
  it("round-trips bytes as ArrayBuffers, including a view into a larger buffer", () => {
    const store = new PreferenceStore("cellmail");
    const big = new Uint8Array([9, 1, 2, 3, 9]);
    store.write("outbox", big.subarray(1, 4));
    expect(prefs.get("cellmail/outbox")).toBeInstanceOf(ArrayBuffer);
    expect([...store.read("outbox")!]).toEqual([1, 2, 3]);
    expect(store.keys()).toEqual(["outbox"]);
    store.remove("outbox");
    expect(store.read("outbox")).toBeUndefined();
  });

  it("enforces the NVS limits (15-character names, 4000-byte values)", () => {
    expect(() => new PreferenceStore("a-domain-too-long")).toThrow(RangeError);
    const store = new PreferenceStore("cellmail");
    expect(() => store.write("a-key-that-is-too-long", new Uint8Array(1))).toThrow(RangeError);
    expect(() => store.write("big", new Uint8Array(4001))).toThrow(RangeError);
    store.write("max", new Uint8Array(4000));
    expect(store.read("max")!.length).toBe(4000);
  });
});
