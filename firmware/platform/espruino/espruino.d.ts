// The few Espruino globals the Espruino adapters and target use (firmware 2v2x).
// Hand-written on purpose: @types/espruino is loose and Bangle-oriented, and the
// Espruino build must not see Node or DOM types at all (tsconfig.espruino.json).

/** A pin: a number on ESP32/nRF boards, or a Pin object such as D16 / B6. */
type EspruinoPin = number | { readonly __espruinoPin: never };

interface EspruinoSerialOptions {
  rx?: EspruinoPin;
  tx?: EspruinoPin;
  cts?: EspruinoPin;
  bytesize?: number;
  parity?: "none" | "o" | "e";
  stopbits?: number;
  flow?: "none" | "xon";
  errors?: boolean;
  /** Espruino on Linux: the device file (/dev/ttyUSB0, a pseudo-terminal) that is this port. */
  path?: string;
}

interface EspruinoSerial {
  setup(baud: number, options?: EspruinoSerialOptions): void;
  /** Data arrives as a string of one or more 8-bit characters (about 32 at a time). */
  on(event: "data", handler: (data: string) => void): void;
  removeAllListeners(event?: string): void;
  /** Raw bytes: numbers, strings of 8-bit characters, arrays or typed arrays. Busy-waits when the TX buffer is full. */
  write(data: number | string | Uint8Array | number[]): void;
  available(): number;
}

declare const Serial1: EspruinoSerial;
declare const Serial2: EspruinoSerial;

/** Seconds since 1970 (or since boot when the clock was never set), as a float. */
declare function getTime(): number;
declare function setTimeout<A>(fn: (arg: A) => void, ms: number, arg: A): number;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;

interface EspruinoWatchEvent {
  state: boolean;
  time: number;
  lastTime: number;
}
interface EspruinoWatchOptions {
  repeat?: boolean;
  edge?: "rising" | "falling" | "both";
  debounce?: number;
}
declare function setWatch(fn: (e: EspruinoWatchEvent) => void, pin: EspruinoPin, options: EspruinoWatchOptions): number;
declare function clearWatch(id: number): void;
declare function digitalRead(pin: EspruinoPin): number;
declare function pinMode(pin: EspruinoPin, mode: "input" | "input_pullup" | "input_pulldown"): void;

declare function print(text: string): void;

/** Espruino's utility object (the few members used here). */
declare const E: {
  /** A new Uint8Array of the given string's character codes (native). */
  toUint8Array(text: string): Uint8Array;
};

interface EspruinoStorage {
  /** Write a whole file (replaces it; the old one becomes garbage until compact()). */
  write(name: string, data: string | Uint8Array | ArrayBuffer, offset?: number, size?: number): boolean;
  /** Memory-mapped contents, or undefined when the file does not exist. */
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  readJSON(name: string, noExceptions: boolean): unknown;
  erase(name: string): void;
  list(): string[];
}

declare function require(name: "Storage"): EspruinoStorage;

interface EspruinoFs {
  /** Size and kind of a file, or null when there is none (Espruino on Linux, or with a filesystem). */
  statSync(path: string): { size: number; dir: boolean } | null;
}
declare function require(name: "fs"): EspruinoFs;
