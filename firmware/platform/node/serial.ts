// Node adapter: a Uart over a real serial port (npm `serialport`), to drive a real
// EC800/EC200 from a PC (USB-UART adapter) with the same core as the boards.
//
// Received Buffers are handed to the sink as they come (a Buffer is a Uint8Array).
// Written bytes are copied (the engine reuses its buffer); when the stream reports
// back-pressure (write() returns false) further writes take nothing until 'drain',
// and then the sink's onWritable fires.
import { SerialPort } from "serialport";
import type { Uart, UartSink } from "../types.js";

export interface SerialPortUartOptions {
  path: string;
  baudRate: number;
  /** Most bytes copied per write call. Default 4096. */
  maxChunk?: number;
  /** Called when the port reports an error or closes unexpectedly. */
  onError?: (error: Error) => void;
}

export class SerialPortUart implements Uart {
  readonly port: SerialPort;
  private sink: UartSink | undefined;
  private blocked = false;
  private wantWritable = false;
  private closed = false;
  private readonly maxChunk: number;

  constructor(options: SerialPortUartOptions) {
    this.maxChunk = options.maxChunk ?? 4096;
    const onError = options.onError;
    this.port = new SerialPort({ path: options.path, baudRate: options.baudRate, autoOpen: true }, (err) => {
      if (err && onError) onError(err);
    });
    this.port.on("data", (chunk: Buffer) => {
      const sink = this.sink;
      if (sink && !this.closed) sink.onBytes(chunk, 0, chunk.length);
    });
    this.port.on("drain", () => {
      this.blocked = false;
      if (this.wantWritable && !this.closed) {
        this.wantWritable = false;
        const sink = this.sink;
        if (sink) sink.onWritable();
      }
    });
    this.port.on("error", (err: Error) => {
      if (onError) onError(err);
    });
  }

  attach(sink: UartSink): void {
    this.sink = sink;
  }

  write(data: Uint8Array, start: number, end: number): number {
    if (this.closed) return 0;
    if (this.blocked) {
      this.wantWritable = true;
      return 0;
    }
    const n = Math.min(end - start, this.maxChunk);
    if (n <= 0) return 0;
    const ok = this.port.write(Buffer.from(data.subarray(start, start + n)));
    if (!ok) this.blocked = true;
    if (n < end - start) {
      this.wantWritable = true;
      if (!this.blocked) {
        // Room remains: say so on the next turn rather than re-entering the caller.
        setImmediate(() => {
          if (this.wantWritable && !this.blocked && !this.closed) {
            this.wantWritable = false;
            const sink = this.sink;
            if (sink) sink.onWritable();
          }
        });
      }
    }
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink = undefined;
    if (this.port.isOpen) this.port.close();
  }
}
