// The virtual UART link: timing at the baud rate, chunking, FIFO overflow, back-pressure,
// byte loss and corruption. All on the virtual clock.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { UartLink, type LinkOptions } from "../../host-sim/uart/link.js";

function setup(options: LinkOptions = {}) {
  const clock = new VirtualClock();
  const link = new UartLink(clock, options);
  const chunks: { t: number; bytes: number[] }[] = [];
  let writable = 0;
  link.uart.attach({
    onBytes(d, s, e) {
      chunks.push({ t: clock.now(), bytes: Array.from(d.subarray(s, e)) });
    },
    onWritable() {
      writable++;
    },
  });
  const atModule: { t: number; bytes: number[] }[] = [];
  link.attachModule((b) => atModule.push({ t: clock.now(), bytes: Array.from(b) }));
  const text = () => Buffer.from(chunks.flatMap((c) => c.bytes)).toString("latin1");
  return { clock, link, chunks, atModule, text, writable: () => writable };
}

const bytes = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe("UartLink", () => {
  it("bytes take 10 bits each at the baud rate", () => {
    const { clock, link, chunks } = setup({ baud: 9600, chunking: { mode: "byte" } });
    link.moduleSend(bytes(100));
    clock.advance(100);
    expect(chunks.length).toBeLessThan(100);
    clock.advance(10);
    expect(chunks.length).toBe(100);
    expect(chunks[99].t).toBeCloseTo(100 * (10000 / 9600), 6);
    expect(chunks.every((c) => c.bytes.length === 1)).toBe(true);
  });

  it("firmware-to-module bytes also take their time", () => {
    const { clock, link, atModule } = setup({ baud: 115200 });
    expect(link.uart.write(bytes(10), 0, 10)).toBe(10);
    clock.advance(0.8);
    expect(atModule.length).toBe(0);
    clock.advance(0.1);
    expect(atModule.flatMap((c) => c.bytes)).toEqual(Array.from(bytes(10)));
    expect(atModule[atModule.length - 1].t).toBeCloseTo(10 * (10000 / 115200), 6);
  });

  it("fixed chunking hands over full chunks and the rest when the line goes idle", () => {
    const { clock, link, chunks } = setup({ chunking: { mode: "fixed", size: 16 }, idleFlushMs: 1 });
    link.moduleSend(bytes(100));
    clock.advance(50);
    expect(chunks.map((c) => c.bytes.length)).toEqual([16, 16, 16, 16, 16, 16, 4]);
    expect(chunks.flatMap((c) => c.bytes)).toEqual(Array.from(bytes(100)));
  });

  it("seeded random chunking is reproducible and bounded", () => {
    const run = (seed: number) => {
      const { clock, link, chunks } = setup({ chunking: { mode: "random", max: 7, seed } });
      link.moduleSend(bytes(200));
      clock.advance(100);
      return chunks.map((c) => c.bytes.length);
    };
    const a = run(42);
    expect(a).toEqual(run(42));
    expect(a).not.toEqual(run(43));
    expect(a.reduce((x, y) => x + y, 0)).toBe(200);
    expect(Math.max(...a)).toBeLessThanOrEqual(7);
  });

  it("a stopped reader lets the 128-byte FIFO overflow, and the overflow is counted", () => {
    const { clock, link, chunks } = setup();
    link.setReaderPaused(true);
    link.moduleSend(bytes(200));
    clock.advance(50);
    expect(chunks.length).toBe(0);
    expect(link.stats().rxOverflow).toBe(72);
    link.setReaderPaused(false);
    clock.advance(5);
    expect(chunks.flatMap((c) => c.bytes)).toEqual(Array.from(bytes(128)));
  });

  it("a slow reader (latency) overflows on a long burst but not on a short one", () => {
    const slow = setup({ readerLatencyMs: 20 });
    slow.link.moduleSend(bytes(100));
    slow.clock.advance(100);
    expect(slow.link.stats().rxOverflow).toBe(0);
    slow.link.moduleSend(bytes(1000));
    slow.clock.advance(200);
    expect(slow.link.stats().rxOverflow).toBeGreaterThan(0);
    // A FIFO of 1024 takes the same burst.
    const big = setup({ readerLatencyMs: 20, rxFifoBytes: 1024 });
    big.link.moduleSend(bytes(1000));
    big.clock.advance(200);
    expect(big.link.stats().rxOverflow).toBe(0);
  });

  it("transmit back-pressure: write takes what fits, onWritable when half drained", () => {
    const { clock, link, writable, atModule } = setup({ txBufferBytes: 256 });
    const data = bytes(1000);
    expect(link.uart.write(data, 0, 1000)).toBe(256);
    expect(link.uart.write(data, 256, 1000)).toBe(0);
    expect(writable()).toBe(0);
    clock.advance(12);
    expect(writable()).toBe(1);
    const n = link.uart.write(data, 256, 1000);
    expect(n).toBeGreaterThanOrEqual(128);
    clock.advance(100);
    expect(atModule.flatMap((c) => c.bytes).length).toBe(256 + n);
  });

  it("drops and corrupts bytes at given indices, and seeded at random", () => {
    const { clock, link, atModule, text } = setup({ toModule: { dropAt: [1] }, toFirmware: { corruptAt: [2] } });
    link.uart.write(Buffer.from("ABC"), 0, 3);
    link.moduleSend(Buffer.from("\r\nOK\r\n"));
    clock.advance(5);
    expect(Buffer.from(atModule.flatMap((c) => c.bytes)).toString()).toBe("AC");
    expect(text()).toBe("\r\noK\r\n");
    expect(link.stats()).toMatchObject({ lostToModule: 1, corruptedToFirmware: 1 });

    const lossy = (seed: number) => {
      const s = setup({ toFirmware: { lossRate: 0.1, corruptRate: 0.1, seed } });
      s.link.moduleSend(bytes(1000));
      s.clock.advance(200);
      return { text: s.text(), stats: s.link.stats() };
    };
    const a = lossy(7);
    expect(a).toEqual(lossy(7));
    expect(a.stats.lostToFirmware).toBeGreaterThan(50);
    expect(a.stats.corruptedToFirmware).toBeGreaterThan(50);
  });

  it("a baud mismatch turns every byte into garbage", () => {
    const { clock, link, text } = setup();
    link.setModuleBaud(9600);
    link.moduleSend(Buffer.from("\r\nOK\r\n"));
    clock.advance(20);
    expect(text()).not.toBe("\r\nOK\r\n");
    expect(text().length).toBe(6);
  });
});
