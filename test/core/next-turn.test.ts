// nextTurn (firmware/turn.ts), the core's one deferral, and the rule it serves: work that
// an event makes possible starts on a fresh turn, so the deepest stack is the deepest
// single step, not the length of a chain of steps (issue 11: twenty ordinary frames,
// from the serial callback to the AT gate, filled a Moddable app's 384-slot stack).
//
// The chains are driven through ScriptPort's `instant` mode: every command is answered
// inside send() itself, the worst case of a result reported from inside the call that
// wrote the command. A caller that went on from inside the result callback would be one
// level deeper with every command; the stack depth is read from Error().stack.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextTurn } from "../../firmware/turn.js";
import { Ec800 } from "../../firmware/modem/ec800.js";
import { resolveConfig, type ResolvedConfig } from "../../firmware/modem/config.js";
import { Mailer } from "../../firmware/mail/mailer.js";
import type { MailResult } from "../../firmware/mail/job.js";
import { createOutbox } from "../../firmware/alarm/outbox.js";
import { MailerForAlarms } from "../../firmware/app/alarm-mailer.js";
import type { OutboxOutcome, OutboxRadio } from "../../firmware/alarm/types.js";
import type { ModemStatus } from "../../firmware/modem/ec800.js";
import { device } from "../alarm/helpers.js";
import { NodeClock } from "../../firmware/platform/node/clock.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { ScriptPort } from "../mail/support/script-port.js";
import { config, job } from "../mail/support/fixtures.js";
import { MemStore } from "../alarm/fakes.js";

let savedLimit = 10;
beforeAll(() => {
  savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
});
afterAll(() => {
  Error.stackTraceLimit = savedLimit;
});

/** Frames on the stack here. */
function depth(): number {
  return (new Error().stack ?? "").split("\n").length;
}

/** How far apart the deepest and the shallowest command were written (frames). */
function spread(depths: number[]): number {
  return Math.max(...depths) - Math.min(...depths);
}

/** A ScriptPort in instant mode that notes the stack depth at every command. */
function instantPort(clock: VirtualClock): { port: ScriptPort; depths: number[] } {
  const port = new ScriptPort(clock);
  port.instant = true;
  const depths: number[] = [];
  const send = port.send.bind(port);
  port.send = (req, done) => {
    depths.push(depth());
    return send(req, done);
  };
  return { port, depths };
}

/** Advance virtual time until `done()` or `maxMs`. */
function runUntil(clock: VirtualClock, done: () => boolean, maxMs = 600_000): void {
  const end = clock.now() + maxMs;
  while (!done() && clock.now() < end) clock.advance(100);
}

describe("nextTurn", () => {
  it("runs after the caller has returned, never inside the call", () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    nextTurn(clock, () => seen.push("later"));
    seen.push("now");
    expect(seen).toEqual(["now"]);
    clock.advance(0);
    expect(seen).toEqual(["now", "later"]);
  });

  it("keeps the order of deferrals, also those made on a deferred turn (virtual clock)", () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    nextTurn(clock, () => {
      seen.push("a");
      nextTurn(clock, () => seen.push("c"));
    });
    nextTurn(clock, () => seen.push("b"));
    clock.advance(0);
    expect(seen).toEqual(["a", "b", "c"]);
    expect(clock.now()).toBe(0); // no virtual time passes
  });

  it("keeps the order on the Node clock too (real timers)", async () => {
    const clock = new NodeClock();
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) nextTurn(clock, () => seen.push(i));
    expect(seen).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("starts each deferred call on a fresh stack: a chain of 1,000 deferrals does not deepen it", () => {
    const clock = new VirtualClock();
    const depths: number[] = [];
    let left = 1000;
    const step = () => {
      depths.push(depth());
      if (--left > 0) nextTurn(clock, step);
    };
    nextTurn(clock, step);
    clock.advance(0);
    expect(depths).toHaveLength(1000);
    expect(Math.max(...depths)).toBe(Math.min(...depths));
  });
});

describe("the EC800 driver answers on a fresh turn", () => {
  function driver(): { clock: VirtualClock; port: ScriptPort; modem: Ec800; depths: number[] } {
    const clock = new VirtualClock();
    const { port, depths } = instantPort(clock);
    const modem = new Ec800(port, clock, resolveConfig(config()) as ResolvedConfig, null);
    return { clock, port, modem, depths };
  }

  it("a command's result reaches the caller after the engine's callback has returned", () => {
    const d = driver();
    const got: Array<number | null> = [];
    d.modem.clear((err) => got.push(err ? err.code : null));
    expect(d.port.commands).toEqual(["+QSMTPCLR"]); // answered inside send()...
    expect(got).toEqual([]); // ...but not passed on inside it
    d.clock.advance(0);
    expect(got).toEqual([null]);
  });

  it("bring-up (14 commands answered inside send) runs at one depth: no command is written from a result callback", () => {
    const d = driver();
    let done = false;
    d.modem.ensureNetwork(() => (done = true));
    runUntil(d.clock, () => done);
    expect(done).toBe(true);
    expect(d.port.commands.length).toBeGreaterThanOrEqual(10);
    // Every command is written from a turn of its own, at the depth of the first.
    expect(spread(d.depths)).toBeLessThanOrEqual(8);
  });

  it("module events (RDY, pdpdeact, +QSMTPPUT) reach the owner on the turn after the URC", () => {
    const d = driver();
    const seen: string[] = [];
    d.modem.listener = {
      onReboot: (expected) => seen.push("reboot " + expected),
      onPowerDown: () => seen.push("down"),
      onPdpDeact: (cid) => seen.push("pdpdeact " + cid),
      onPutResult: (err, proto) => seen.push(`put ${err},${proto}`),
    };
    d.port.urc("RDY");
    d.port.urc('+QIURC: "pdpdeact",1');
    d.port.urc("+QSMTPPUT: 0,0");
    d.port.urc("POWERED DOWN");
    expect(seen).toEqual([]);
    d.clock.advance(0);
    expect(seen).toEqual(["reboot false", "pdpdeact 1", "put 0,0", "down"]);
  });
});

describe("chains across the layers stay one step deep", () => {
  it("a whole mail through the Mailer (about 30 commands, each answered inside send) never deepens the stack", () => {
    const clock = new VirtualClock();
    const { port, depths } = instantPort(clock);
    const mailer = new Mailer(port, clock, config());
    const results: MailResult[] = [];
    expect(mailer.submit(job(), (r) => results.push(r))).toBeNull();
    expect(mailer.submit(job({ id: "m2" }), (r) => results.push(r))).toBeNull();
    runUntil(clock, () => results.length === 2);
    expect(results.map((r) => r.delivered)).toEqual([true, true]);
    expect(port.commands.length).toBeGreaterThan(30);
    // Without the deferrals every command would sit a few frames above the last one.
    expect(spread(depths)).toBeLessThanOrEqual(16);
  });

  it("the mailer hands a result over on the turn after the job ended, and close() hands over what is still on its way", () => {
    const clock = new VirtualClock();
    const port = new ScriptPort(clock);
    const mailer = new Mailer(port, clock, config());
    const results: MailResult[] = [];
    mailer.submit(job(), (r) => results.push(r));
    // One timer at a time, up to the step in which the job ended: its result is on its way.
    let steps = 0;
    while (!(port.commands.length > 0 && !mailer.busy() && mailer.queued() === 0) && clock.step()) steps++;
    expect(steps).toBeGreaterThan(20);
    expect(port.commands.at(-1)).toBe("+QSMTPCLR"); // clean-up done: the job ended
    expect(results).toEqual([]);
    clock.step();
    expect(results.map((r) => r.delivered)).toEqual([true]); // the next turn hands it over
    // The same point again, and close() before that turn: close hands it over itself.
    const port2 = new ScriptPort(clock);
    const mailer2 = new Mailer(port2, clock, config());
    const results2: MailResult[] = [];
    mailer2.submit(job(), (r) => results2.push(r));
    while (!(port2.commands.length > 0 && !mailer2.busy() && mailer2.queued() === 0) && clock.step());
    expect(results2).toEqual([]);
    mailer2.close();
    expect(results2.map((r) => r.delivered)).toEqual([true]);
    clock.advance(60_000);
    expect(results2).toHaveLength(1); // and only once
  });

  it("an alarm: the radio reading, the mail and the outcome are steps of their own (the chain of issue 11)", () => {
    const clock = new VirtualClock();
    const { port, depths } = instantPort(clock);
    const mailer = new Mailer(port, clock, config());
    const ends: OutboxOutcome[] = [];
    const alarms = createOutbox(clock, new MemStore(), new MailerForAlarms(mailer, clock, null, () => -1), device({ board: "b" }), () => {});
    alarms.onSent = (_id, o) => ends.push(o);
    alarms.start();
    alarms.raise("leak", "Water leak", "sensor 1");
    runUntil(clock, () => alarms.queued() === 0 && !mailer.busy());
    expect(ends.map((o) => o.delivered)).toEqual([true]);
    expect(spread(depths)).toBeLessThanOrEqual(16);
  });

  it("the full core's mailer hands the radio reading and the outcome to the outbox on a fresh turn, not inside the driver's callback", () => {
    const clock = new VirtualClock();
    let reading: ((err: null, s: ModemStatus) => void) | null = null;
    let result: ((r: MailResult) => void) | null = null;
    const fake = {
      start: (done: (err: null) => void) => done(null),
      readStatus: (done: (err: null, s: ModemStatus) => void) => (reading = done),
      submit: (_job: unknown, done: (r: MailResult) => void) => {
        result = done;
        return null;
      },
      busy: () => false,
      queued: () => 0,
    } as unknown as Mailer;
    const adapter = new MailerForAlarms(fake, clock, null, () => Date.UTC(2026, 11, 7, 14, 5, 11));
    let radio: OutboxRadio | null = null;
    adapter.radio((r) => (radio = r));
    expect(adapter.ready()).toBe(false);
    reading!(null, { rssi: 20, reg: 1 } as ModemStatus);
    expect(radio).toBeNull();
    clock.advance(0);
    expect(radio).toEqual({ csq: 20, stat: 1, clock: "2026-12-07 14:05:11 UTC" });
    expect(adapter.ready()).toBe(true);
    let outcome: OutboxOutcome | null = null;
    expect(adapter.send({ id: 3, to: ["ops@example.com"], cc: [], bcc: [], subject: "s", body: "b" }, (o) => (outcome = o))).toBe(0);
    result!({ delivered: true } as MailResult);
    expect(outcome).toBeNull();
    clock.advance(0);
    expect(outcome).toEqual({ delivered: true, code: 0, proto: 0, kind: 0 });
    // A failure's words, as the outbox keeps them with the entry: one line, at most 60 bytes.
    adapter.send({ id: 4, to: ["ops@example.com"], cc: [], bcc: [], subject: "s", body: "b" }, (o) => (outcome = o));
    result!({ delivered: false, error: { kind: 2, code: 675, proto: 550, cause: "SMTP: mailbox unavailable;\r\nserver: 550 5.1.1 <ops@example.com>: Recipient address rejected", field: "" } } as MailResult);
    clock.advance(0);
    expect(outcome).toEqual({ delivered: false, code: 675, proto: 550, kind: 2, cause: "SMTP: mailbox unavailable;  server: 550 5.1.1 <ops@example.c" });
  });
});
