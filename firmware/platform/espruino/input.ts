// Espruino adapter: Input over setWatch on a pin (both edges, no hardware debounce:
// the alarm layer debounces on the Clock, the same on every platform).
import type { Input } from "../types.js";

export interface EspruinoInputOptions {
  pin: EspruinoPin;
  /** "up" (default), "down" or "none". */
  pull?: string;
}

export function createEspruinoInput(options: EspruinoInputOptions): Input {
  const pin = options.pin;
  let watchId = 0;
  pinMode(pin, options.pull === "down" ? "input_pulldown" : options.pull === "none" ? "input" : "input_pullup");
  const input: Input = {
    watch(onEdge: (level: number) => void): void {
      input.close();
      watchId = setWatch((e: EspruinoWatchEvent) => onEdge(e.state ? 1 : 0), pin, { repeat: true, edge: "both" });
    },
    read: () => (digitalRead(pin) ? 1 : 0),
    close(): void {
      if (watchId) clearWatch(watchId);
      watchId = 0;
    },
  };
  return input;
}
