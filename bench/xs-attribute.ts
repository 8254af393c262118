// Where a mail's XS heap goes: the peak mail of bench/xs-mail.ts (one 10,240-byte mail, the
// first after boot, the board's rig) with every delivery's slots attributed to the AT command
// written last before it and to the delivery's kind. A tool for memory work, not a figure:
// it writes nothing to bench/results.json.
//
// Each delivery's own slots are counted as xs.mail.peakFirmwareSlots counts them: the live
// slots after it, less those before it, less what the XS bridge itself made on the way (the
// delivery's message, and the answers to timer clears and to writes of a whole buffer; their
// costs are measured in the same worker). No collection runs during the mail, so the rows add
// up to the peak less the live slots at the mail's start (the tool says so, or that they did not).
//
// A row's label is the command written last ("AT+QSSLSEND"), so what a delivery does next (a
// timer that writes the next command, the reply that starts the next step) is counted under the
// command before it: read a row as "from this command's write to the next one's".
//
//   npx tsx bench/xs-attribute.ts [--socket] [--espruino] [--detail LABEL]
//     --socket   the socket transport (smtp.transport "socket") instead of the module's engine
//     --espruino the espruino composition (the compact core) instead of moddable
//     --detail   also list every delivery under LABEL ("AT+QSSLRECV"), with the start of its payload
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompositionName } from "../host-sim/runner/compositions.js";
import { job, sendOne, sensorLog, startRig } from "./xs-mail.js";
import { OP_BYTES, OP_TIMER, OP_WRITABLE } from "../host-sim/xs/device/platform/protocol.js";


export interface AttributionRow {
  /** The AT command written last ("AT+CSQ"; "boot" before the first one). */
  label: string;
  /** "line" (module output), "timer", "writable" (the UART took more), or "other". */
  kind: string;
  deliveries: number;
  /** Slots the firmware allocated in them (the bridge's own taken out). */
  slots: number;
}

export interface Attribution {
  rows: AttributionRow[];
  /** The rows' sum, and the peak's allocation (peak firmware slots less the live slots at the mail's start). */
  total: number;
  peakOverStart: number;
  /** Every delivery's own slots, label and payload start (for --detail). */
  deliveries: { label: string; kind: string; slots: number; payload: string }[];
}

function kindOf(op: number): string {
  return op === OP_BYTES ? "line" : op === OP_TIMER ? "timer" : op === OP_WRITABLE ? "writable" : "other";
}

/** The command name of an AT write ("AT+QSMTPDST=1,1,..." -> "AT+QSMTPDST"), or null for data. */
function commandOf(bytes: Uint8Array): string | null {
  if (bytes.length < 2 || bytes[0] !== 0x41 || bytes[1] !== 0x54) return null; // "AT"
  let end = 2;
  while (end < bytes.length && end < 32 && bytes[end] !== 0x3d && bytes[end] !== 0x3f && bytes[end] !== 0x0d) end++;
  return Buffer.from(bytes.subarray(0, end)).toString("latin1");
}

/** Attribute the peak mail's slots (see the top of this file). */
export async function attributePeak(composition: CompositionName = "moddable", socket = false, bodyBytes = 10240): Promise<Attribution> {
  let label = "boot";
  let sampling = false;
  let last = 0;
  let answers = 0;
  const byKey = new Map<string, AttributionRow>();
  const deliveries: Attribution["deliveries"] = [];
  let cost = { delivery: 0, answer: 0 };
  const rig = await startRig(
    composition,
    {
      onWrite: (bytes) => {
        const c = commandOf(bytes);
        if (c !== null) label = c;
      },
      onMeter: (slots, op, payload) => {
        if (!sampling) return;
        const fw = rig.firmware;
        // The bridge's answers since the last delivery (clears and whole writes), and this delivery's message.
        const a = fw.clears + fw.wholeWrites;
        const own = slots - last - cost.delivery - (a - answers) * cost.answer;
        answers = a;
        last = slots;
        const kind = kindOf(op);
        const key = label + " " + kind;
        const row = byKey.get(key) ?? { label, kind, deliveries: 0, slots: 0 };
        row.deliveries++;
        row.slots += own;
        byKey.set(key, row);
        const text = payload ? Buffer.from(payload).toString("latin1").replace(/\r/g, "\\r").replace(/\n/g, "\\n") : "";
        deliveries.push({ label, kind, slots: own, payload: text.replace(/[^\x20-\x7e]/g, ".").slice(0, 60) });
      },
    },
    socket,
  );
  try {
    const body = sensorLog(bodyBytes);
    cost = rig.firmware.bridgeCosts();
    const start = rig.firmware.liveSlots();
    last = start;
    answers = rig.firmware.clears + rig.firmware.wholeWrites;
    sampling = true;
    const before = deliveries.length;
    await sendOne(rig, job(1, body));
    sampling = false;
    // The peak in firmware slots: the running sum at its highest.
    let run = start;
    let peak = start;
    for (let i = before; i < deliveries.length; i++) {
      run += deliveries[i].slots;
      if (run > peak) peak = run;
    }
    const rows = [...byKey.values()].sort((x, y) => y.slots - x.slots);
    const total = rows.reduce((s, r) => s + r.slots, 0);
    return { rows, total, peakOverStart: peak - start, deliveries };
  } finally {
    await rig.close();
  }
}

function print(a: Attribution, detail: string | null): void {
  console.log("slots  deliveries  command written last / delivery kind");
  for (const r of a.rows) console.log(`${String(r.slots).padStart(5)}  ${String(r.deliveries).padStart(10)}  ${r.label} ${r.kind}`);
  console.log(`${String(a.total).padStart(5)}  in all; the peak is ${a.peakOverStart} over the live slots at the mail's start` + (a.total === a.peakOverStart ? " (the same: nothing was collected during the mail)" : " (a collection ran during the mail: the rows count what was allocated)"));
  if (detail === null) return;
  console.log(`\ndeliveries under ${detail}:`);
  for (const x of a.deliveries) if (x.label === detail) console.log(`${String(x.slots).padStart(5)}  ${x.kind.padEnd(8)}  ${x.payload}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--detail");
  const detail = at >= 0 && at + 1 < args.length ? args[at + 1] : null;
  const composition: CompositionName = args.includes("--espruino") ? "espruino" : "moddable";
  attributePeak(composition, args.includes("--socket"))
    .then((a) => {
      console.log(`cellmail bench: the peak mail's XS slots by the command written last (${composition}, ${args.includes("--socket") ? "socket transport" : "module transport"})`);
      print(a, detail);
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
