// Memory of cellmail's own SMTP client and MIME writer (firmware/ext/smtp) in real XS while
// they send one mail with a 10,240-byte body to the real smtp-server: the XS entry
// host-sim/xs/device/smtp.ts runs in xsnap-worker, this file carries its byte stream over
// TCP (in chunks of at most 64 bytes, like AT+QIRD reads) and its timers.
//
//   xs.socket.client.peakLiveSlots highest currentHeapCount seen at the end of any delivery
//                                  while the mail goes (garbage included, no gc() inside),
//                                  counted from a gc() just before it; the job's validation,
//                                  the SMTP conversation and the streamed MIME message. Not
//                                  in it: the EC800 socket driver (AT+QIOPEN/QISEND/QIRD),
//                                  which a board adds (issue 14, part 1). Compare with
//                                  xs.mail.peakLiveSlots, the whole core on the module path.
//   xs.socket.client.liveSlotGrowth10 live slots after gc() once mail 10 has ended minus the same
//                                  after mail 1 (one worker, a connection per mail). Target <= 50.
//
//   npx tsx bench/xs-socket-mail.ts     prints the figures and merges them into bench/results.json
import net from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForXs } from "../host-sim/xs/bundle.js";
import { XsWorker } from "../host-sim/xs/worker.js";
import { MailServer, type ReceivedMail } from "../host-sim/mailserver/index.js";
import { mergeResults } from "./results.js";

export interface SocketMailPeak {
  bodyBytes: number;
  peakLiveSlots: number;
  liveSlotsAtStart: number;
  /** Live slots after gc() once the first mail has ended. */
  liveSlotsAfter: number;
  /** Mails sent in the worker, and live slots after gc() once the last has ended (minus after the first). */
  mails: number;
  liveSlotGrowth: number;
  deliveries: number;
  roundTrips: number;
  mail: ReceivedMail;
  /** The bytes the client wrote for the first mail. */
  clientBytes: number;
}

let script: Promise<string> | null = null;

function xsScript(): Promise<string> {
  script ??= bundleForXs({ entry: "host-sim/xs/device/smtp.ts", globalName: "CellmailSmtp" });
  return script;
}

/** The bench's 10,240-byte body (as bench/xs-mail.ts measurePeak builds it). */
export function benchBody(bodyBytes: number): string {
  let body = "";
  const line = "Sensor log line with the state of every input at the time of the alarm.\r\n";
  while (body.length < bodyBytes) body += line;
  return body.slice(0, bodyBytes);
}

/** One XS worker running the entry, and the host side of its byte stream and timers. */
class Rig {
  sampling = false;
  peak = 0;
  deliveries = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;
  private socket: net.Socket | null = null;
  private pendingWrite: { start: number; end: number } | null = null;
  private outcome: { error: unknown; roundTrips: number } | null = null;
  private written = 0;

  constructor(readonly worker: XsWorker) {
    worker.onIssue((bytes) => this.onIssue(bytes));
  }

  deliver(op: string, payload?: Uint8Array): void {
    const msg = Buffer.concat([Buffer.from(op, "latin1"), payload ?? Buffer.alloc(0)]);
    this.chain = this.chain
      .then(async () => {
        const r = await this.worker.command(msg);
        if (this.sampling) {
          this.deliveries++;
          if (r.meter.currentHeapCount > this.peak) this.peak = r.meter.currentHeapCount;
        }
      })
      .catch((e: Error) => {
        this.failure ??= e;
      });
  }

  async gc(): Promise<number> {
    await this.chain;
    return (await this.worker.command("G")).meter.currentHeapCount;
  }

  /** One mail over a new connection to `port`; resolves with the round trips and bytes written once the client has closed it. */
  async send(port: number, spec: unknown): Promise<{ roundTrips: number; bytes: number }> {
    const socket = net.connect({ host: "127.0.0.1", port });
    this.socket = socket;
    this.outcome = null;
    this.written = 0;
    await new Promise<void>((ok, ko) => {
      socket.once("connect", () => ok());
      socket.once("error", ko);
    });
    this.deliver("S", Buffer.from(JSON.stringify(spec), "utf8"));
    // Only now: until a 'data' listener is attached the socket holds the greeting.
    socket.on("data", (b: Buffer) => {
      for (let i = 0; i < b.length; i += 64) this.deliver("B", b.subarray(i, i + 64));
    });
    const closed = new Promise<void>((ok) => socket.on("close", () => ok()));
    socket.on("close", () => this.deliver("C"));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 20_000))]);
    await this.chain;
    if (this.failure) throw this.failure;
    const o = this.outcome as { error: unknown; roundTrips: number } | null;
    if (!o) throw new Error("the client in XS reported no outcome");
    if (o.error) throw new Error(`the client in XS failed: ${JSON.stringify(o.error)}`);
    return { roundTrips: o.roundTrips, bytes: this.written };
  }

  close(): void {
    this.socket?.destroy();
  }

  private onIssue(bytes: Uint8Array): void {
    const socket = this.socket as net.Socket;
    if (this.pendingWrite) {
      const w = this.pendingWrite;
      this.pendingWrite = null;
      const copy = Buffer.from(bytes.subarray(w.start, w.end));
      this.written += copy.length;
      socket.write(copy, () => this.deliver("W"));
      return;
    }
    switch (bytes[0]) {
      case 0x77: // 'w': the range; the buffer itself follows
        this.pendingWrite = { start: (bytes[1] << 8) | bytes[2], end: (bytes[3] << 8) | bytes[4] };
        return;
      case 0x74: // 't': only zero-delay timers (fresh turns) fire; the reply timeouts (30-600 s) are never reached here
        if (Buffer.from(bytes).readUInt32BE(5) === 0) setImmediate(() => this.deliver("T", Buffer.from(bytes.subarray(1, 5))));
        return;
      case 0x78: // 'x'
        socket.end();
        return;
      case 0x64: // 'd'
        this.outcome = JSON.parse(Buffer.from(bytes.subarray(1)).toString("utf8"));
        return;
    }
  }
}

/**
 * Send `mails` mails (one connection each) with a `bodyBytes` body from the client in XS:
 * the peak of live slots over the first mail's deliveries, and live slots after gc()
 * after the first and the last.
 */
export async function measureSocketPeak(bodyBytes = 10240, mails = 1): Promise<SocketMailPeak> {
  const server = await MailServer.start({ greetAtOnce: true, auth: { user: "board7", password: "pw-1" } });
  const worker = await XsWorker.start({ name: "cellmail-smtp" });
  const rig = new Rig(worker);
  try {
    await worker.evaluate(await xsScript());
    const spec = (n: number) => ({
      job: { id: `alarm-${n}`, to: ["ops@example.com"], subject: `Alarm ${n}: door open`, body: benchBody(bodyBytes) },
      sender: { name: "cellmail", address: "alarm@cellmail.test" },
      date: Date.UTC(2026, 11, 6, 22, 33, 32),
      user: "board7",
      password: "pw-1",
    });
    const start = await rig.gc();
    rig.peak = start;
    rig.sampling = true;
    const first = await rig.send(server.port, spec(1));
    rig.sampling = false;
    const after = await rig.gc();
    for (let n = 2; n <= mails; n++) await rig.send(server.port, spec(n));
    const last = await rig.gc();
    const received = await server.waitForMessages(mails, 20_000);
    return {
      bodyBytes,
      peakLiveSlots: rig.peak,
      liveSlotsAtStart: start,
      liveSlotsAfter: after,
      mails,
      liveSlotGrowth: last - after,
      deliveries: rig.deliveries,
      roundTrips: first.roundTrips,
      mail: received[0],
      clientBytes: first.bytes,
    };
  } finally {
    rig.close();
    await worker.close();
    await server.close();
  }
}

/** The figures `npm run bench` merges into bench/results.json. */
export async function xsSocketMailResults(): Promise<Record<string, number>> {
  const m = await measureSocketPeak(10240, 10);
  console.log(
    `xs socket mail: one 10240-byte mail through ext/smtp: peak ${m.peakLiveSlots} slots (${m.liveSlotsAtStart} live at its start, ` +
      `${m.liveSlotsAfter} after it and gc(); ${m.deliveries} deliveries, ${m.roundTrips} SMTP round trips, ${m.clientBytes} bytes written); ` +
      `live slots after gc() grew by ${m.liveSlotGrowth} from mail 1 to mail ${m.mails}`,
  );
  return { "xs.socket.client.peakLiveSlots": m.peakLiveSlots, "xs.socket.client.liveSlotGrowth10": m.liveSlotGrowth };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  xsSocketMailResults()
    .then((r) => mergeResults(r))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
