// Test harness: a module behind a link, driven by raw AT bytes from the test (no
// firmware). `rx` is everything the firmware side received; `take()` returns and clears
// it. A fake SmtpEngine records mails and answers with chosen outcomes.
import { VirtualClock } from "../../host-sim/clock.js";
import { createSimulatedModem, type SimulatedModem, type SimulatedModemOptions } from "../../host-sim/index.js";
import type { OutgoingMail, SmtpEngine, SmtpOutcome, SmtpSession } from "../../host-sim/smtp/types.js";

export class FakeSmtp implements SmtpEngine {
  readonly mails: { session: SmtpSession; mail: OutgoingMail; timeoutMs: number }[] = [];
  outcomes: SmtpOutcome[] = [];
  async deliver(session: SmtpSession, mail: OutgoingMail, timeoutMs: number): Promise<SmtpOutcome> {
    this.mails.push({ session, mail, timeoutMs });
    await new Promise((r) => setTimeout(r, 1));
    return this.outcomes.shift() ?? { err: 0, protocolError: 0, detail: "250 OK" };
  }
}

export interface Harness {
  clock: VirtualClock;
  sim: SimulatedModem;
  smtp: FakeSmtp;
  /** Everything received so far by the firmware side (latin1). */
  rx(): string;
  /** Received text since the last take(). */
  take(): string;
  /** Write bytes as the firmware would (honouring back-pressure); returns once they reached the module. */
  write(data: string | Uint8Array): Promise<void>;
  /** Send a command line (adds CR), run until `untilText` appears in new output (or ms elapse). */
  cmd(line: string, opts?: { until?: string; forMs?: number }): Promise<string>;
  run(ms: number): Promise<void>;
  runUntil(text: string, maxMs?: number): Promise<string>;
}

export async function makeHarness(options: Partial<SimulatedModemOptions> = {}, boot = true): Promise<Harness> {
  const clock = new VirtualClock();
  const smtp = new FakeSmtp();
  const sim = createSimulatedModem({ clock, smtp, ...options });
  let all = "";
  let mark = 0;
  let pendingOut: Uint8Array | null = null;
  sim.uart.attach({
    onBytes(data, start, end) {
      all += Buffer.from(data.subarray(start, end)).toString("latin1");
    },
    onWritable() {
      pump();
    },
  });
  function pump(): void {
    while (pendingOut && pendingOut.length > 0) {
      const n = sim.uart.write(pendingOut, 0, pendingOut.length);
      if (n === 0) return;
      pendingOut = pendingOut.subarray(n);
    }
    pendingOut = null;
  }
  /** Let what the module already sent reach the firmware (wire, FIFO, idle flush). */
  async function drain(): Promise<void> {
    await clock.run({ until: () => sim.link.pendingToFirmware() === 0, forMs: 1000 });
    await clock.run({ forMs: 2 });
  }
  const h: Harness = {
    clock,
    sim,
    smtp,
    rx: () => all,
    take: () => {
      const s = all.slice(mark);
      mark = all.length;
      return s;
    },
    async write(data) {
      const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
      pendingOut = pendingOut ? Buffer.concat([pendingOut, bytes]) : new Uint8Array(bytes);
      pump();
      // Until every byte has reached the module (the wire takes its time).
      await clock.run({ until: () => pendingOut === null && sim.link.pendingToModule() === 0, maxSteps: 1_000_000 });
    },
    async cmd(line, opts = {}) {
      h.take();
      const start = all.length;
      await h.write(line + "\r");
      const until = opts.until ?? "OK\r\n";
      await clock.run({
        until: () => opts.forMs === undefined && (all.slice(start).includes(until) || /\r\n(\+CME ERROR: [^\r]*|ERROR)\r\n/.test(all.slice(start))),
        forMs: opts.forMs ?? 600_000,
      });
      await drain();
      return h.take();
    },
    async run(ms) {
      await clock.run({ forMs: ms });
    },
    async runUntil(text, maxMs = 600_000) {
      const start = mark;
      await clock.run({ until: () => all.slice(start).includes(text), forMs: maxMs });
      await drain();
      return h.take();
    },
  };
  if (boot) {
    sim.powerOn();
    await clock.run({ until: () => sim.modem.sim === "ready" && sim.modem.regStat === 1, forMs: 60_000 });
    await clock.run({ forMs: 100 });
    h.take();
  }
  return h;
}
