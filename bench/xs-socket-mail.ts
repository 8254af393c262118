// Memory of cellmail's own SMTP client and MIME writer (firmware/ext/smtp) in real XS while
// they send one mail with a 10,240-byte body to the real smtp-server: the XS entry
// host-sim/xs/device/smtp.ts runs in xsnap-worker, this file carries its byte stream over
// TCP (in chunks of at most 64 bytes, like AT+QIRD reads) and its timers.
//
//   xs.socket.mail.peakLiveSlots   highest currentHeapCount seen at the end of any delivery
//                                  while the mail goes (garbage included, no gc() inside),
//                                  counted from a gc() just before it; the job's validation,
//                                  the SMTP conversation and the streamed MIME message. Not
//                                  in it: the EC800 socket driver (AT+QIOPEN/QISEND/QIRD),
//                                  which a board adds (issue 14, part 1). Compare with
//                                  xs.mail.peakLiveSlots, the whole core on the module path.
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
  /** Live slots after gc() once the mail has ended. */
  liveSlotsAfter: number;
  deliveries: number;
  roundTrips: number;
  mail: ReceivedMail;
  /** The bytes the client wrote, in order. */
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

/** Send one mail with a `bodyBytes` body from the client in XS; the peak of live slots over the deliveries. */
export async function measureSocketPeak(bodyBytes = 10240): Promise<SocketMailPeak> {
  const server = await MailServer.start({ greetAtOnce: true, auth: { user: "board7", password: "pw-1" } });
  const worker = await XsWorker.start({ name: "cellmail-smtp" });
  let socket: net.Socket | null = null;
  try {
    await worker.evaluate(await xsScript());
    let sampling = false;
    let peak = 0;
    let deliveries = 0;
    let chain: Promise<unknown> = Promise.resolve();
    let failure: Error | null = null;
    const deliver = (op: string, payload?: Uint8Array): void => {
      const msg = Buffer.concat([Buffer.from(op, "latin1"), payload ?? Buffer.alloc(0)]);
      chain = chain.then(async () => {
        const r = await worker.command(msg);
        if (sampling) {
          deliveries++;
          if (r.meter.currentHeapCount > peak) peak = r.meter.currentHeapCount;
        }
      }).catch((e: Error) => {
        failure ??= e;
      });
    };
    socket = net.connect({ host: "127.0.0.1", port: server.port });
    await new Promise<void>((ok, ko) => {
      socket!.once("connect", () => ok());
      socket!.once("error", ko);
    });
    let clientBytes = 0;
    let outcome: { error: unknown; roundTrips: number } | null = null;
    let pendingWrite: { start: number; end: number } | null = null;
    worker.onIssue((bytes) => {
      if (pendingWrite) {
        const w = pendingWrite;
        pendingWrite = null;
        const copy = Buffer.from(bytes.subarray(w.start, w.end));
        clientBytes += copy.length;
        socket!.write(copy, () => deliver("W"));
        return;
      }
      switch (bytes[0]) {
        case 0x77: // 'w'
          pendingWrite = { start: (bytes[1] << 8) | bytes[2], end: (bytes[3] << 8) | bytes[4] };
          return;
        case 0x74: {
          // 't': only the zero-delay timers (fresh turns) fire here; the reply timeouts
          // (30-600 s) would never be reached by a healthy conversation.
          const id = Buffer.from(bytes).readUInt32BE(1);
          const ms = Buffer.from(bytes).readUInt32BE(5);
          if (ms === 0) setImmediate(() => deliver("T", Buffer.from(bytes.subarray(1, 5))));
          void id;
          return;
        }
        case 0x63: // 'c'
          return;
        case 0x78: // 'x'
          socket!.end();
          return;
        case 0x64: // 'd'
          outcome = JSON.parse(Buffer.from(bytes.subarray(1)).toString("utf8"));
          return;
      }
    });
    const gcNow = async (): Promise<number> => {
      await chain;
      return (await worker.command("G")).meter.currentHeapCount;
    };
    const start = await gcNow();
    peak = start;
    sampling = true;
    const spec = {
      job: { id: "alarm-1", to: ["ops@example.com"], subject: "Alarm 1: door open", body: benchBody(bodyBytes) },
      sender: { name: "cellmail", address: "alarm@cellmail.test" },
      date: Date.UTC(2026, 11, 6, 22, 33, 32),
      user: "board7",
      password: "pw-1",
    };
    deliver("S", Buffer.from(JSON.stringify(spec), "utf8"));
    // Only now: until a 'data' listener is attached the socket holds the greeting.
    socket.on("data", (b: Buffer) => {
      for (let i = 0; i < b.length; i += 64) deliver("B", b.subarray(i, i + 64));
    });
    socket.on("close", () => deliver("C"));
    const [mail] = await server.waitForMessages(1, 20_000);
    for (let i = 0; i < 400 && !(outcome && socket.destroyed); i++) {
      await chain;
      await new Promise((r) => setTimeout(r, 5));
    }
    await chain;
    sampling = false;
    if (failure) throw failure;
    if (!outcome) throw new Error("the client in XS reported no outcome");
    const o = outcome as { error: unknown; roundTrips: number };
    if (o.error) throw new Error(`the client in XS failed: ${JSON.stringify(o.error)}`);
    const after = await gcNow();
    return { bodyBytes, peakLiveSlots: peak, liveSlotsAtStart: start, liveSlotsAfter: after, deliveries, roundTrips: o.roundTrips, mail, clientBytes };
  } finally {
    socket?.destroy();
    await worker.close();
    await server.close();
  }
}

/** The figures `npm run bench` merges into bench/results.json. */
export async function xsSocketMailResults(): Promise<Record<string, number>> {
  const m = await measureSocketPeak(10240);
  console.log(
    `xs socket mail: one 10240-byte mail through ext/smtp: peak ${m.peakLiveSlots} slots (${m.liveSlotsAtStart} live at its start, ` +
      `${m.liveSlotsAfter} after it and gc(); ${m.deliveries} deliveries, ${m.roundTrips} SMTP round trips, ${m.clientBytes} bytes written)`,
  );
  return { "xs.socket.mail.peakLiveSlots": m.peakLiveSlots };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  xsSocketMailResults()
    .then((r) => mergeResults(r))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
