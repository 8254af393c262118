// The Espruino adapters against fakes of Espruino's globals: serial data arriving as
// strings of 8-bit characters, timeout ids that Espruino reuses, the Storage module
// (injected: vitest gives every module its own `require`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock, Store, TextSink, TextUart } from "../../firmware/platform/types.js";

type Handler = (data: string) => void;

const g = globalThis as unknown as { [name: string]: unknown };
const saved: { [name: string]: unknown } = {};
const GLOBALS = ["getTime", "setTimeout", "clearTimeout", "print"];

let now = 1000; // seconds
const timers = new Map<number, () => void>();
const files = new Map<string, Uint8Array>();
// Espruino's Storage module (reached through require("Storage") on the board).
const storage = {
  write: (n: string, d: Uint8Array | string | ArrayBuffer) => (files.set(n, new Uint8Array(d as Uint8Array)), true),
  readArrayBuffer: (n: string) => (files.has(n) ? files.get(n)!.slice().buffer : undefined),
  readJSON: () => undefined,
  erase: (n: string) => {
    files.delete(n);
  },
  list: () => [...files.keys()],
};

function fakeSerial() {
  const serial = {
    baud: 0,
    setupOptions: {} as unknown,
    handler: undefined as Handler | undefined,
    written: [] as number[],
    writes: [] as unknown[],
    setup(baud: number, options: unknown) {
      serial.baud = baud;
      serial.setupOptions = options;
    },
    on(_event: string, handler: Handler) {
      serial.handler = handler;
    },
    removeAllListeners() {
      serial.handler = undefined;
    },
    write(data: unknown) {
      // Espruino writes a string as its character codes, a Uint8Array as its bytes.
      if (typeof data === "string") serial.written.push(...Array.from(data, (c) => c.charCodeAt(0)));
      else if (data instanceof Uint8Array) serial.written.push(...data);
      else throw new Error("expected bytes or a string");
      serial.writes.push(data);
    },
    available: () => 0,
  };
  return serial;
}

beforeAll(() => {
  for (const name of GLOBALS) saved[name] = g[name];
  g.getTime = () => now;
  // Espruino-like ids: the lowest free id is reused.
  g.setTimeout = (fn: (arg?: unknown) => void, _ms: number, arg?: unknown) => {
    let id = 1;
    while (timers.has(id)) id++;
    timers.set(id, () => fn(arg));
    return id;
  };
  g.clearTimeout = (id: number) => {
    timers.delete(id);
  };
});

afterAll(() => {
  for (const name of GLOBALS) g[name] = saved[name];
});

function fire(id: number): void {
  const fn = timers.get(id)!;
  timers.delete(id);
  fn();
}

// Imported by URL so that the host type-check (tsconfig.json, Node types) does not pull
// the Espruino adapters in; they are type-checked by tsconfig.espruino.json.
type Make<T> = (...args: any[]) => T;
const load = (path: string) => import(/* @vite-ignore */ new URL(path, import.meta.url).href);
const { createEspruinoUart } = (await load("../../firmware/platform/espruino/serial.ts")) as { createEspruinoUart: Make<TextUart> };
const { createEspruinoClock } = (await load("../../firmware/platform/espruino/clock.ts")) as { createEspruinoClock: Make<Clock> };
const { createEspruinoStore } = (await load("../../firmware/platform/espruino/store.ts")) as { createEspruinoStore: Make<Store> };

function recordingSink(): TextSink & { chunks: string[]; writable: number } {
  const sink = {
    chunks: [] as string[],
    writable: 0,
    onText(chunk: string) {
      sink.chunks.push(chunk);
    },
    onWritable() {
      sink.writable++;
    },
  };
  return sink;
}

describe("createEspruinoUart", () => {
  it("hands the string chunks to the sink as they came, 8-bit characters included (no copy into bytes)", () => {
    const serial = fakeSerial();
    const uart = createEspruinoUart({ serial, baud: 115200, rx: 16, tx: 17 });
    expect(serial.baud).toBe(115200);
    expect(serial.setupOptions).toEqual({ rx: 16, tx: 17 });
    const sink = recordingSink();
    uart.attach(sink);
    const bytes = Array.from({ length: 40 }, (_, i) => (i * 53 + 0x7b) & 0xff);
    const chunks = [String.fromCharCode(...bytes.slice(0, 32)), String.fromCharCode(...bytes.slice(32))];
    for (const c of chunks) serial.handler!(c);
    expect(sink.chunks).toEqual(chunks);
  });

  it("opens a device file on Linux: `path` goes to Serial.setup (lteDevice)", () => {
    const serial = fakeSerial();
    createEspruinoUart({ serial, baud: 9600, path: "/dev/ttyUSB1" });
    expect(serial.baud).toBe(9600);
    expect(serial.setupOptions).toEqual({ path: "/dev/ttyUSB1" });
  });

  it("writes bytes above 0x7F as bytes, at most txChunk per call, then says when to go on", () => {
    const serial = fakeSerial();
    const uart = createEspruinoUart({ serial, baud: 115200, txChunk: 8 });
    const sink = recordingSink();
    uart.attach(sink);
    const data = new Uint8Array([0x41, 0x80, 0xff, 0xc3, 0xa9, 0x0d, 0, 1, 2, 3, 4, 5]);
    const taken = uart.write(data, 0, data.length);
    expect(taken).toBe(8);
    expect(serial.written).toEqual([...data.subarray(0, 8)]);
    expect(sink.writable).toBe(0); // not re-entered: signalled from the event loop
    fire([...timers.keys()][0]);
    expect(sink.writable).toBe(1);
    expect(uart.write(data, 8, data.length)).toBe(4);
    expect(serial.written).toEqual([...data]);
    uart.close();
    expect(serial.handler).toBeUndefined();
  });

  it("writes a command string as it is (no conversion into bytes), at most txChunk characters per call", () => {
    const serial = fakeSerial();
    const uart = createEspruinoUart({ serial, baud: 115200, txChunk: 8 });
    uart.attach(recordingSink());
    const command = 'AT+QSMTPDST=1,1,"ops@example.com"\r';
    expect(uart.write("AT\r", 0, 3)).toBe(3);
    expect(uart.write(command, 0, command.length)).toBe(8);
    expect(uart.write(command, 8, command.length)).toBe(8);
    expect(serial.writes).toEqual(["AT\r", "AT+QSMTP", "DST=1,1,"]);
    const bytes = new Uint8Array([0x80, 0xff, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(uart.write(bytes, 1, bytes.length)).toBe(8);
    expect(serial.writes[3]).toBeInstanceOf(Uint8Array); // a view, not a copy into a plain Array
    expect([...(serial.writes[3] as Uint8Array)]).toEqual([0xff, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("createEspruinoClock", () => {
  it("counts milliseconds from getTime() and never goes backwards", () => {
    const clock = createEspruinoClock();
    const t0 = clock.now();
    now += 1.5;
    expect(clock.now() - t0).toBeCloseTo(1500);
    now -= 100; // setTime() moved the clock back
    expect(clock.now() - t0).toBeCloseTo(1500);
    now += 0.25;
    expect(clock.now() - t0).toBeCloseTo(1750);
  });

  it("clearing a timer that already fired cannot cancel another timer that reused its id", () => {
    timers.clear();
    const clock = createEspruinoClock();
    let a = 0;
    let b = 0;
    const ha = clock.setTimer(10, () => a++);
    fire(1);
    const hb = clock.setTimer(10, () => b++); // Espruino hands out id 1 again
    clock.clearTimer(ha);
    expect(timers.has(1)).toBe(true);
    fire(1);
    expect([a, b]).toEqual([1, 1]);
    clock.clearTimer(hb);
    const hc = clock.setTimer(5, () => a++);
    clock.clearTimer(hc);
    expect(timers.size).toBe(0);
  });
});

describe("createEspruinoStore", () => {
  it("round-trips values (empty ones too) under a prefix and lists only its keys", () => {
    files.clear();
    files.set("other.json", new Uint8Array([1]));
    const store = createEspruinoStore("cm.", storage);
    store.write("outbox", new Uint8Array([0, 0x80, 0xff]));
    store.write("empty", new Uint8Array(0));
    expect([...store.read("outbox")!]).toEqual([0, 0x80, 0xff]);
    expect(store.read("empty")!.length).toBe(0);
    expect(store.read("missing")).toBeUndefined();
    expect(store.keys().sort()).toEqual(["empty", "outbox"]);
    store.remove("outbox");
    expect(store.keys()).toEqual(["empty"]);
    expect(() => store.write("a-very-long-key-name-for-storage", new Uint8Array(1))).toThrow(RangeError);
  });
});
