// The fleet's bookkeeping at the end of a run: which raise each arrived mail delivered,
// which mails came twice, what each board still keeps (queued or failed), what is lost
// (none of these: must be 0), whether a board's mails arrived in the order it raised
// them, and the latency of every delivered alarm. Plain functions over plain data.
import type { ArrivedAlarmMail, LeftInOutbox } from "./board.js";
import type { Raise } from "./plan.js";
import { OVERFLOW_KEY } from "../../firmware/alarm/outbox.js";

export interface BoardAccount {
  raised: number;
  delivered: number;
  mails: number;
  duplicates: number;
  queued: number;
  failed: number;
  lost: number;
  inOrder: boolean;
  /** Raise to arrival, virtual ms, one per delivered raise. */
  latencies: number[];
  /** Arrival time of each delivered raise (virtual ms). */
  deliveredAt: number[];
}

/**
 * Assign mails (in arrival order) to raises: a mail with keys K and count c delivers the
 * c earliest raises not yet delivered whose key is in K. A mail whose id arrived before is a
 * duplicate and delivers nothing more. Raises not delivered are matched, by key, against
 * what the outbox still holds; the rest are lost.
 */
export function accountBoard(raises: Raise[], raisedCount: number, mails: ArrivedAlarmMail[], left: LeftInOutbox): BoardAccount {
  const done = raises.slice(0, raisedCount);
  const deliveredAt: (number | undefined)[] = done.map(() => undefined);
  const seen = new Set<number>();
  let duplicates = 0;
  let inOrder = true;
  let lastFirst = -Infinity;
  const sorted = mails.slice().sort((a, b) => a.at - b.at);
  for (const m of sorted) {
    if (seen.has(m.id)) {
      duplicates++;
      continue;
    }
    seen.add(m.id);
    let n = m.count;
    let first = Infinity;
    for (let i = 0; i < done.length && n > 0; i++) {
      if (deliveredAt[i] !== undefined || !m.keys.includes(done[i].key)) continue;
      deliveredAt[i] = m.at;
      if (done[i].atMs < first) first = done[i].atMs;
      n--;
    }
    if (first !== Infinity) {
      if (first < lastFirst) inOrder = false;
      lastFirst = first;
    }
  }
  const latencies: number[] = [];
  const at: number[] = [];
  let queued = 0;
  let failed = 0;
  let lost = 0;
  const take = (list: { keys: string[]; count: number }[], key: string): boolean => {
    const e = list.find((x) => x.keys.includes(key) && x.count > 0);
    if (!e) return false;
    e.count--;
    return true;
  };
  const q = left.queued.map((x) => ({ ...x }));
  const f = left.failed.map((x) => ({ ...x }));
  done.forEach((r, i) => {
    const t = deliveredAt[i];
    if (t !== undefined) {
      latencies.push(t - r.atMs);
      at.push(t);
    } else if (take(q, r.key)) queued++;
    else if (take(f, r.key)) failed++;
    else lost++;
  });
  return { raised: done.length, delivered: latencies.length, mails: seen.size, duplicates, queued, failed, lost, inOrder, latencies, deliveredAt: at };
}

/** The p-th percentile (0..100) of sorted values, nearest rank; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Counts of values in `bins` equal bins over [0, max]. */
export function histogram(values: number[], bins: number): { from: number; to: number; count: number }[] {
  if (values.length === 0) return [];
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const width = max > 0 ? max / bins : 1;
  const out = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const v of values) out[Math.min(bins - 1, Math.floor(v / width))].count++;
  return out;
}

/** A cumulative step curve: [time, count so far] at every change, times sorted. */
export function cumulative(times: number[]): [number, number][] {
  const sorted = times.slice().sort((a, b) => a - b);
  const out: [number, number][] = [];
  sorted.forEach((t, i) => {
    if (out.length > 0 && out[out.length - 1][0] === t) out[out.length - 1][1] = i + 1;
    else out.push([t, i + 1]);
  });
  return out;
}

/** Parse an alarm mail's text (the one outbox, firmware/alarm/outbox.ts, writes it on every board): its id, keys and count. Null for a heartbeat. */
export function parseAlarmMail(text: string): { id: number; keys: string[]; count: number } | null {
  const id = /Mail id: (\d+)/.exec(text);
  if (!id) return null;
  const count = /Occurrences: (\d+)/.exec(text);
  const alarm = /^Alarm: .*\(([^()\r\n]*)\)\r?$/m.exec(text);
  let keys: string[];
  if (alarm && alarm[1] !== OVERFLOW_KEY) keys = [alarm[1]];
  else {
    // "outbox full" mails list the keys they carry as their Detail.
    const grouped = /^Detail: ([^\r\n]*)\r?$/m.exec(text);
    if (!grouped) return null;
    keys = grouped[1].split(",").map((k) => k.trim()).filter((k) => k !== "");
  }
  return { id: Number(id[1]), keys, count: count ? Number(count[1]) : 1 };
}
