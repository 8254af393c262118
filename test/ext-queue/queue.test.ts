// The optional command queue (firmware/ext/queue) and the core without it: the engine then
// holds one command behind the one in flight (firmware/at/waiting.ts) and refuses another,
// which the modem layer turns into a typed error (refusal(): E_AT_BUSY, retryable; E_CLOSED
// once the engine is closed). The scenarios without it: test/scenarios/compositions.test.ts.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { AtEngine } from "../../firmware/at/engine.js";
import type { AtDone, AtRequest } from "../../firmware/at/types.js";
import { CommandQueue, commandQueue, QUEUE_LENGTH } from "../../firmware/ext/queue/queue.js";
import { Ec800 } from "../../firmware/modem/ec800.js";
import { resolveConfig, type ResolvedConfig } from "../../firmware/modem/config.js";
import { refusal } from "../../firmware/modem/codes.js";
import { E_AT_BUSY, E_CLOSED, KIND_MODEM, KIND_RETRYABLE, type CellError } from "../../firmware/errors.js";
import { bareUart } from "../at/support/bare-uart.js";
import { config } from "../mail/support/fixtures.js";

const req = (command: string): AtRequest => ({ command, shape: 0, timeoutMs: 60_000 });
const none: AtDone = () => {};

describe("CommandQueue", () => {
  it("is a FIFO ring of its capacity (default 8) that refuses when full and wraps around", () => {
    expect(new CommandQueue().capacity).toBe(QUEUE_LENGTH);
    expect(commandQueue().capacity).toBe(8);
    expect(new CommandQueue(0).capacity).toBe(QUEUE_LENGTH); // not a length: the default
    const q = new CommandQueue(3);
    const taken: string[] = [];
    const take = () => {
      expect(q.shift()).toBe(true);
      taken.push(q.req!.command);
    };
    for (const c of ["a", "b", "c"]) expect(q.push(req(c), none)).toBe(true);
    expect(q.push(req("d"), none)).toBe(false);
    take();
    take();
    expect(q.push(req("d"), none)).toBe(true);
    expect(q.push(req("e"), none)).toBe(true);
    expect(q.push(req("f"), none)).toBe(false);
    while (q.count > 0) take();
    expect(q.shift()).toBe(false);
    expect(taken).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("composed into the engine, lets one command fly and `capacity` wait", () => {
    const clock = new VirtualClock();
    const u = bareUart();
    const engine = new AtEngine(u.uart, clock, { queue: new CommandQueue(3) });
    expect(engine.room()).toBe(3);
    for (let i = 0; i < 4; i++) expect(engine.send(req("+X" + i), none)).toBe(true);
    expect([engine.queued(), engine.room()]).toEqual([3, 0]);
    expect(engine.send(req("+X4"), none)).toBe(false);
    expect(u.written).toEqual(["AT+X0\r"]);
  });
});

describe("the core without the command queue", () => {
  it("refusal(): E_AT_BUSY (retryable) while a command waits behind the one in flight, E_CLOSED of the caller's kind once closed", () => {
    const engine = new AtEngine(bareUart().uart, new VirtualClock());
    expect(engine.send(req("+A"), none)).toBe(true);
    expect(engine.send(req("+B"), none)).toBe(true);
    expect(engine.send(req("+C"), none)).toBe(false);
    const busy = refusal(engine, "AT+C", KIND_MODEM);
    expect([busy.code, busy.kind]).toEqual([E_AT_BUSY, KIND_RETRYABLE]);
    expect(busy.cause).toBe("AT engine busy: AT+C refused (no room behind the command in flight)");
    engine.close();
    const closed = refusal(engine, "AT+C", KIND_MODEM);
    expect([closed.code, closed.kind, closed.cause]).toEqual([E_CLOSED, KIND_MODEM, "AT engine closed: AT+C not sent"]);
  });

  it("a driver command with no room ends with the typed E_AT_BUSY and writes nothing", () => {
    const clock = new VirtualClock();
    const u = bareUart();
    const engine = new AtEngine(u.uart, clock);
    const modem = new Ec800(engine, clock, resolveConfig(config()) as ResolvedConfig, null);
    // Another part of the firmware has a command in flight and one waiting (never answered here).
    engine.send(req("+A"), none);
    engine.send(req("+B"), none);
    let err: CellError | null | undefined;
    modem.deactivatePdp((e) => (err = e));
    clock.advance(100);
    expect(err?.code).toBe(E_AT_BUSY);
    expect(err?.kind).toBe(KIND_RETRYABLE);
    expect(err?.cause).toMatch(/^AT engine busy: AT\+QIDEACT refused/);
    expect(u.written).toEqual(["AT+A\r"]);
  });
});
