// An attachment kept in Store (platform/types.ts) under several keys, read one key at a
// time: `prefix + "0"`, `prefix + "1"`, ... each holding the next `chunk` bytes (the last
// one fewer). A board keeps a file larger than one Store value this way (Moddable's
// Preference takes at most 4,000 bytes a value, and less than that is best), and the MIME
// writer reads it through ByteSource in windows of 570 bytes: at most one value of the
// attachment is in memory at a time (the one the Store returns), never the whole file.
import type { ByteSource } from "../../at/types.js";
import type { Store } from "../../platform/types.js";

export class StoreSource implements ByteSource {
  readonly length: number;
  private readonly store: Store;
  private readonly prefix: string;
  private readonly chunk: number;
  private held: Uint8Array | undefined = undefined;
  private heldIndex = -1;

  /** `length` bytes under prefix+"0".. of `chunk` bytes each (chunk >= 1). */
  constructor(store: Store, prefix: string, chunk: number, length: number) {
    this.store = store;
    this.prefix = prefix;
    this.chunk = chunk;
    this.length = length;
  }

  read(position: number, dst: Uint8Array, offset: number, max: number): number {
    let done = 0;
    while (done < max && position + done < this.length && offset + done < dst.length) {
      const at = position + done;
      const index = Math.floor(at / this.chunk);
      if (index !== this.heldIndex) {
        this.held = this.store.read(this.prefix + index);
        this.heldIndex = index;
      }
      const part = this.held;
      if (part === undefined) break; // a missing value ends the data early
      const from = at - index * this.chunk;
      let n = part.length - from;
      if (n > max - done) n = max - done;
      if (n > dst.length - offset - done) n = dst.length - offset - done;
      if (n > this.length - at) n = this.length - at;
      if (n <= 0) break;
      dst.set(part.subarray(from, from + n), offset + done);
      done += n;
    }
    return done;
  }

  /** Forget the value held (after the mail). */
  release(): void {
    this.held = undefined;
    this.heldIndex = -1;
  }
}

/** Writes `data` under prefix+"0".. in values of `chunk` bytes (the host side or a board's upload path). */
export function storeChunks(store: Store, prefix: string, chunk: number, data: Uint8Array): number {
  let i = 0;
  for (let at = 0; at < data.length; at += chunk) {
    const end = at + chunk < data.length ? at + chunk : data.length;
    const part = new Uint8Array(end - at);
    part.set(data.subarray(at, end), 0);
    store.write(prefix + i, part);
    i++;
  }
  return i;
}
