// `embedded:io/digital` for Moddable's Linux build (`lin`), over the Linux GPIO sysfs layout:
//   <root>/export          write N to make <root>/gpioN appear
//   <root>/gpioN/direction "in" or "out"
//   <root>/gpioN/value     "0" or "1"
// <root> is the flat manifest setting `gpioRoot` (default /sys/class/gpio, real on a
// Raspberry Pi running Moddable's Linux build); the mcconfig command line overrides it
// (`gpioRoot=/path/`), so a test points it at a folder and raises an alarm by writing 0 or
// 1 to a file, as with Espruino's Linux build.
//
// The ECMA-419 shape the Moddable adapter (../input.ts) uses: new Digital({pin, mode, edge,
// onReadable}), read(), write(), close(), the mode and edge constants. sysfs has no
// interrupts that the SDK's `file` module can wait on, so an input with an edge is polled
// (POLL_MS) and onReadable is called, with `this` the instance, on every change of level
// in a requested direction. sysfs cannot set pulls: InputPullUp/InputPullDown are taken as
// Input (the board's wiring or device tree provides the pull).
//
// Built by rollup to dist/moddable/lin/digital.js and mapped to `embedded:io/digital` by
// cellmail's library manifest for `lin` only (manifests/moddable/cellmail.json). Nothing
// runs at module load (the module may be preloaded).
import { File } from "file";
import Timer from "timer";
import config from "mc/config";

const POLL_MS = 20;
const DEFAULT_ROOT = "/sys/class/gpio";

interface DigitalOptions {
  pin: number | string;
  mode: number;
  edge?: number;
  onReadable?: (this: Digital) => void;
}

function readText(path: string): string {
  const file = new File(path);
  try {
    return file.length > 0 ? file.read(String) : "";
  } finally {
    file.close();
  }
}

/** Replace the file's content (sysfs attributes take one write; a plain file is cut to it). */
function writeText(path: string, text: string): void {
  File.delete(path + ".new");
  const file = new File(path + ".new", true);
  try {
    file.write(text);
  } finally {
    file.close();
  }
  if (!File.rename(path + ".new", path)) throw new Error("embedded:io/digital: cannot write " + path);
}

/** A sysfs attribute file (direction, export): written in place, it exists already on a real kernel. */
function writeAttribute(path: string, text: string): void {
  if (!File.exists(path)) {
    writeText(path, text); // a folder standing in for sysfs
    return;
  }
  const file = new File(path, true);
  try {
    file.write(text);
  } finally {
    file.close();
  }
}

function levelOf(text: string): number {
  return text.charCodeAt(0) === 0x31 ? 1 : 0; // "1"
}

export default class Digital {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly InputPullUpDown = 3;
  static readonly Output = 8;
  static readonly OutputOpenDrain = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;

  private valuePath: string;
  private level: number;
  private edge: number;
  private onReadable: ((this: Digital) => void) | undefined;
  private timer: Timer | undefined;

  constructor(options: DigitalOptions) {
    const settings = config as unknown as { gpioRoot?: unknown };
    let root = typeof settings.gpioRoot === "string" && settings.gpioRoot !== "" ? settings.gpioRoot : DEFAULT_ROOT;
    if (root.charAt(root.length - 1) === "/") root = root.substring(0, root.length - 1);
    const pin = Number(options.pin);
    if (!(pin >= 0) || Math.floor(pin) !== pin) throw new RangeError("embedded:io/digital: bad pin " + options.pin);
    const dir = root + "/gpio" + pin;
    if (!File.exists(dir + "/value")) writeAttribute(root + "/export", String(pin));
    if (!File.exists(dir + "/value")) throw new Error("embedded:io/digital: GPIO " + pin + " not found (" + dir + "/value)");
    const output = options.mode === Digital.Output || options.mode === Digital.OutputOpenDrain;
    writeAttribute(dir + "/direction", output ? "out" : "in");
    this.valuePath = dir + "/value";
    this.level = levelOf(readText(this.valuePath));
    this.edge = options.edge === undefined ? 0 : options.edge;
    this.onReadable = options.onReadable;
    this.timer = undefined;
    if (!output && this.edge !== 0 && this.onReadable !== undefined) {
      const self = this;
      this.timer = Timer.repeat(function () {
        self.poll();
      }, POLL_MS);
    }
  }

  read(): number {
    this.level = levelOf(readText(this.valuePath));
    return this.level;
  }

  write(value: number): void {
    writeAttribute(this.valuePath, value ? "1" : "0");
  }

  close(): void {
    if (this.timer !== undefined) Timer.clear(this.timer);
    this.timer = undefined;
    this.onReadable = undefined;
  }

  private poll(): void {
    const was = this.level;
    let now = was;
    try {
      now = levelOf(readText(this.valuePath));
    } catch (e) {
      return; // being rewritten (a test's rename): read again on the next poll
    }
    if (now === was) return;
    this.level = now;
    const wanted = now === 1 ? Digital.Rising : Digital.Falling;
    const handler = this.onReadable;
    if ((this.edge & wanted) !== 0 && handler !== undefined) handler.call(this);
  }
}
