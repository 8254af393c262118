// Espruino adapter: Input over setWatch on a pin (both edges, no hardware debounce:
// the alarm layer debounces on the Clock, the same on every platform).
import type { Input } from "../types.js";

export interface EspruinoInputOptions {
  pin: EspruinoPin;
  /** "up" (default), "down" or "none". */
  pull?: string;
}

export class EspruinoInput implements Input {
  private readonly pin: EspruinoPin;
  private watchId: number;

  constructor(options: EspruinoInputOptions) {
    this.pin = options.pin;
    this.watchId = 0;
    pinMode(this.pin, options.pull === "down" ? "input_pulldown" : options.pull === "none" ? "input" : "input_pullup");
  }

  watch(onEdge: (level: number) => void): void {
    if (this.watchId) clearWatch(this.watchId);
    this.watchId = setWatch(
      function (e: EspruinoWatchEvent) {
        onEdge(e.state ? 1 : 0);
      },
      this.pin,
      { repeat: true, edge: "both" },
    );
  }

  read(): number {
    return digitalRead(this.pin) ? 1 : 0;
  }

  close(): void {
    if (this.watchId) clearWatch(this.watchId);
    this.watchId = 0;
  }
}
