// XS bridge: the firmware's Uart. Writes cross to the host's simulated link at once and
// return how many bytes it took (the link's answer); arriving bytes and "writable" come
// back as deliveries that main.ts hands to the attached sink.
import type { Uart, UartSink } from "../../../../firmware/platform/types.js";
import { ISSUE_ATTACH, ISSUE_CLOSE, XsChannel } from "./protocol.js";

export class XsUart implements Uart {
  private channel: XsChannel;
  private sink: UartSink | null;

  constructor(channel: XsChannel) {
    this.channel = channel;
    this.sink = null;
  }

  attach(sink: UartSink): void {
    this.sink = sink;
    this.channel.signal(ISSUE_ATTACH);
  }

  write(data: Uint8Array, start: number, end: number): number {
    if (this.sink === null) return 0;
    return this.channel.write(data, start, end);
  }

  close(): void {
    if (this.sink === null) return;
    this.sink = null;
    this.channel.signal(ISSUE_CLOSE);
  }

  /** Bytes arrived (u[start..end) is valid during the call only). Ignored once closed. */
  deliverBytes(u: Uint8Array, start: number, end: number): void {
    const sink = this.sink;
    if (sink !== null && end > start) sink.onBytes(u, start, end);
  }

  deliverWritable(): void {
    const sink = this.sink;
    if (sink !== null) sink.onWritable();
  }
}
