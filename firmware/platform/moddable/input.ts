// Moddable adapter: Input over ECMA-419 `embedded:io/digital` with onReadable.
//
// The pin is opened at construction with both edges armed; edges before watch() are
// ignored. No debounce here: the alarm layer debounces on the Clock. On the ESP32 the
// SDK's digital IO runs it; on `lin` cellmail's library manifest maps the module to
// lin/digital.ts (Linux GPIO sysfs, under the flat setting gpioRoot).
import Digital from "embedded:io/digital";
import type { Input } from "../types.js";

export interface ModdableInputOptions {
  pin: number;
  /** "up" (default), "down" or "none". */
  pull?: string;
}

export class ModdableInput implements Input {
  private pin: Digital | undefined;
  private onEdge: ((level: number) => void) | undefined;

  constructor(options: ModdableInputOptions) {
    this.onEdge = undefined;
    const self = this;
    const mode =
      options.pull === "down" ? Digital.InputPullDown : options.pull === "none" ? Digital.Input : Digital.InputPullUp;
    this.pin = new Digital({
      pin: options.pin,
      mode: mode,
      edge: Digital.Rising | Digital.Falling,
      onReadable(this: Digital) {
        const handler = self.onEdge;
        if (handler) handler(this.read());
      },
    });
  }

  watch(onEdge: (level: number) => void): void {
    this.onEdge = onEdge;
  }

  read(): number {
    const pin = this.pin;
    return pin ? pin.read() : 0;
  }

  close(): void {
    this.onEdge = undefined;
    const pin = this.pin;
    this.pin = undefined;
    if (pin) pin.close();
  }
}
