// An earlier firmware's outbox, taken over once (extends the alarm layer). Before the one
// outbox (firmware/alarm/outbox.ts, issue 12), Moddable and Node boards kept their alarms
// through the blob store (blob.ts) under "cm.o<slot>" (an entry each), "cm.m" (the next id)
// and "cm.t" (the rate window's send times per address). A board updated with alarms still
// waiting must send them: at start, before the outbox reads the Store, this writes what
// those records held as the outbox's own records and removes them.
//
// Taken over: entries queued, in flight (sent again: at least once) or failed, with their
// ids, counts, attempts, codes, causes and times; the next id (ids never repeat); the send
// times of the address that received the most (every alarm mail goes to every address).
// Left behind: delivered entries (their coalescing memory: a repeat within the window goes
// at once) and the wall-clock times of raises (the mail gives them from the clock again).
// Times stay in the clock of the earlier run, with the write time of their record: the
// outbox shifts them all by one amount (time powered off counts as zero).
//
// Every new record is written before an old one is removed, so a power cut in between
// takes the same records over again at the next start (same ids, same keys).
//
// Old entry record (version 1): [1, id, state, key, title, text, count, firstAt, lastAt,
//   firstWall, lastWall, holdUntil, attempts, code, cause, sentAt, savedAt, throttles]
// Old meta (version 1): [1, idLimit, lastHeartbeat | null, lost, savedAt]
// Old rate window (version 1): [1, savedAt, addr1, [t...], addr2, [t...], ...]
import type { Log, Store } from "../../platform/types.js";
import { LOG_WARN } from "../../platform/types.js";
import { decode, encode } from "../../alarm/outbox.js";
import { BlobStore, PREFERENCE_VALUE } from "./blob.js";
import { decodeRecord, num, str } from "./codec.js";

const META = "cm.m";
const WINDOW = "cm.t";
const DONE = 2; // the old outbox's delivered state; queued 0, sending 1 and failed 3 are the outbox's own

/** Take over the records of an earlier firmware's outbox, if the Store holds any; how many alarms it took over. */
export function migrateOutbox(store: Store, log: Log): number {
  const old = store.keys().filter((k) => isEntry(k) || k === META || k === WINDOW);
  if (old.length === 0) return 0;
  const blobs = new BlobStore(store, PREFERENCE_VALUE);
  blobs.sweep("cm.");
  // The next id: the earlier firmware's reservation, or what a migration cut short wrote already.
  const had = decode(store.read("w")) as number[] | undefined;
  let nextId = had instanceof Array ? num(had[0], 1) : 1;
  let taken = 0;
  const meta = readRecord(blobs, META);
  if (meta && num(meta[1], 1) > nextId) nextId = num(meta[1], 1);
  for (let i = 0; i < old.length; i++) {
    if (!isEntry(old[i])) continue;
    const r = readRecord(blobs, old[i]);
    if (!r || str(r[3]) === "") continue;
    const id = num(r[1], 0);
    if (id + 1 > nextId) nextId = id + 1;
    if (num(r[2], 0) === DONE) continue;
    // [id, state, key, title, text, count, firstAt, lastAt, attempts, code, notBefore, throttled, savedAt, cause]
    const saved = num(r[16], num(r[8], 0));
    const hold = num(r[11], 0);
    store.write("o" + id, encode([
      id, num(r[2], 0), str(r[3]), str(r[4]), str(r[5]), num(r[6], 1), num(r[7], saved), num(r[8], saved),
      num(r[12], 0), num(r[13], 0), hold > saved ? hold : 0, num(r[17], 0), saved, str(r[14]),
    ]));
    taken++;
  }
  const win = readRecord(blobs, WINDOW);
  let sent: number[] = had instanceof Array ? had.slice(1) : [];
  for (let i = 3; win && i < win.length; i += 2) {
    const list = win[i];
    if (list instanceof Array && list.length > sent.length) sent = list.filter((t) => typeof t === "number");
  }
  store.write("w", encode([nextId].concat(sent)));
  // The meta record last: a cut before it keeps the id reservation for the next start.
  for (let i = 0; i < old.length; i++) if (isEntry(old[i])) blobs.remove(old[i]);
  blobs.remove(WINDOW);
  blobs.remove(META);
  log(LOG_WARN, "outbox: " + taken + " alarm(s) taken over from an earlier firmware's records");
  return taken;
}

/** "cm.o<slot>": an old entry's head key (its continuation chunks are "cm.o<slot>.a1", ...). */
function isEntry(key: string): boolean {
  if (key.length < 5 || key.substring(0, 4) !== "cm.o") return false;
  for (let i = 4; i < key.length; i++) if (key.charCodeAt(i) < 0x30 || key.charCodeAt(i) > 0x39) return false;
  return true;
}

function readRecord(blobs: BlobStore, key: string): unknown[] | undefined {
  const bytes = blobs.read(key);
  return bytes === undefined ? undefined : decodeRecord(bytes, 1);
}
