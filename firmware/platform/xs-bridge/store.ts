// XS bridge: a Store in memory (the bridge runs the core against the simulator; a
// board keeps the outbox in flash through its own adapter). Values are copied in and
// out, as a real store would.
import type { Store } from "../types.js";

export class XsMemoryStore implements Store {
  private names: string[];
  private values: Uint8Array[];

  constructor() {
    this.names = [];
    this.values = [];
  }

  read(key: string): Uint8Array | undefined {
    const i = this.names.indexOf(key);
    return i < 0 ? undefined : this.values[i].slice();
  }

  write(key: string, value: Uint8Array): void {
    const i = this.names.indexOf(key);
    if (i < 0) {
      this.names.push(key);
      this.values.push(value.slice());
    } else this.values[i] = value.slice();
  }

  remove(key: string): void {
    const i = this.names.indexOf(key);
    if (i < 0) return;
    this.names.splice(i, 1);
    this.values.splice(i, 1);
  }

  keys(): string[] {
    return this.names.slice();
  }
}
