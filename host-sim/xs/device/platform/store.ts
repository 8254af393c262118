// XS bridge: the firmware's Store lives on the host, like a board's flash lives outside
// its JavaScript heap. Every operation crosses at once (ISSUE_STORE) and the host keeps
// the bytes (host-sim/xs/firmware.ts), so a power cut of the board can be played
// exactly: the host stops the worker, keeps the Store, and hands it to a new worker
// (host-sim/runner/session.ts), just as a Node run hands its Store to a new core.
//
//   ISSUE_STORE 's'  [sub u8][key length u8][key bytes][value bytes]
//     sub 'r' read    -> [1][value] when present, [0] when absent
//     sub 'w' write   -> nothing
//     sub 'd' remove  -> nothing
//     sub 'k' keys    -> the keys, each followed by LF
// Keys are short ASCII names (at most 15 characters: Moddable Preference's limit).
import type { Store } from "../../../../firmware/platform/types.js";
import { ISSUE_STORE, XsChannel } from "./protocol.js";

const SUB_READ = 0x72;
const SUB_WRITE = 0x77;
const SUB_REMOVE = 0x64;
const SUB_KEYS = 0x6b;

export class XsStore implements Store {
  private channel: XsChannel;

  constructor(channel: XsChannel) {
    this.channel = channel;
  }

  private ask(sub: number, key: string, value: Uint8Array | null): Uint8Array {
    const n = key.length;
    const m = new Uint8Array(3 + n + (value !== null ? value.length : 0));
    m[0] = ISSUE_STORE;
    m[1] = sub;
    m[2] = n;
    for (let i = 0; i < n; i++) m[3 + i] = key.charCodeAt(i) & 0x7f;
    if (value !== null) m.set(value, 3 + n);
    return this.channel.ask(m);
  }

  read(key: string): Uint8Array | undefined {
    const r = this.ask(SUB_READ, key, null);
    return r.length > 0 && r[0] === 1 ? r.slice(1) : undefined;
  }

  write(key: string, value: Uint8Array): void {
    this.ask(SUB_WRITE, key, value);
  }

  remove(key: string): void {
    this.ask(SUB_REMOVE, key, null);
  }

  keys(): string[] {
    const r = this.ask(SUB_KEYS, "", null);
    const out: string[] = [];
    let s = "";
    for (let i = 0; i < r.length; i++) {
      if (r[i] === 0x0a) {
        out.push(s);
        s = "";
      } else s += String.fromCharCode(r[i]);
    }
    return out;
  }
}
