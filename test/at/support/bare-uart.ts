// A Uart with no module behind it: records what the engine writes (accepting all of it)
// and lets a test feed received text straight to the engine, whole or cut into chunks.
import type { Uart, UartSink } from "../../../firmware/platform/types.js";
import { ascii } from "./modem.js";

export interface BareUart {
  uart: Uart;
  /** Each write as a string, in order. */
  written: string[];
  /** The sink the engine attached (null before construction). */
  sink(): UartSink | null;
  /** Deliver `text` to the attached sink, in one call or in chunks of `cut` bytes. */
  feed(text: string, cut?: number): void;
}

export function bareUart(): BareUart {
  let sink: UartSink | null = null;
  const written: string[] = [];
  return {
    uart: {
      attach: (s) => (sink = s),
      write: (d, s, e) => {
        written.push(String.fromCharCode(...d.subarray(s, e)));
        return e - s;
      },
      close: () => {},
    },
    written,
    sink: () => sink,
    feed: (text, cut) => {
      const b = ascii(text);
      const step = cut === undefined ? b.length : cut;
      for (let at = 0; at < b.length; at += step) sink!.onBytes(b, at, Math.min(b.length, at + step));
    },
  };
}
