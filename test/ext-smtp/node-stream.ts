// Host side: a ByteStream (firmware/modem/stream.ts) over a Node TCP or TLS socket, so
// the firmware's SMTP client talks to the real smtp-server. It behaves like a module
// socket on purpose:
//  - a write is done (onSent) only when Node has handed the bytes to the kernel (the
//    module's SEND OK), on a later turn, and a write longer than maxWrite is refused
//    (AT+QISEND takes at most 1460 bytes);
//  - received data is handed over in chunks of at most `readChunk` bytes, each on its own
//    turn, from one reused buffer (AT+QIRD reads into the driver's buffer);
//  - a transcript of both directions, in order, for the tests.
import net from "node:net";
import tls from "node:tls";
import type { ByteStream, StreamSink } from "../../firmware/modem/stream.js";
import { cellError, KIND_NETWORK } from "../../firmware/errors.js";

export interface Exchange {
  from: "client" | "server";
  bytes: Buffer;
}

export interface NodeStreamOptions {
  port: number;
  host?: string;
  /** Implicit TLS (AT+QSSLOPEN): the CA to verify the server with. */
  tlsCa?: string;
  maxWrite?: number;
  /** Largest chunk handed to onBytes. Default 64 (a small QIRD read). */
  readChunk?: number;
}

export class NodeSocketStream implements ByteStream {
  readonly maxWrite: number;
  readonly transcript: Exchange[] = [];
  /** Writes made, and the largest. */
  writes = 0;
  closedByClient = false;
  private sink: StreamSink | null = null;
  private readonly readChunk: number;
  private readonly rx: Uint8Array;
  private ended = false;
  private queue: Buffer[] = [];
  private draining = false;

  private constructor(private readonly socket: net.Socket, options: NodeStreamOptions) {
    this.maxWrite = options.maxWrite ?? 1460;
    this.readChunk = options.readChunk ?? 64;
    this.rx = new Uint8Array(this.readChunk);
    socket.on("data", (b: Buffer) => {
      this.transcript.push({ from: "server", bytes: Buffer.from(b) });
      this.queue.push(b);
      this.drain();
    });
    socket.on("error", (e: Error) => this.end(cellError(KIND_NETWORK, 654, `socket error: ${e.message}`, "")));
    socket.on("close", () => setImmediate(() => this.end(null)));
  }

  /** Opens the connection; resolves once it is up (TLS: handshake done). */
  static open(options: NodeStreamOptions): Promise<NodeSocketStream> {
    const host = options.host ?? "127.0.0.1";
    return new Promise((resolve, reject) => {
      const socket = options.tlsCa
        ? tls.connect({ host, port: options.port, ca: options.tlsCa, servername: "localhost" }, () => resolve(new NodeSocketStream(socket, options)))
        : net.connect({ host, port: options.port }, () => resolve(new NodeSocketStream(socket, options)));
      socket.once("error", reject);
      // Hold data until the stream object listens (it registers in the constructor, before any turn passes).
    });
  }

  attach(sink: StreamSink): void {
    this.sink = sink;
    this.drain();
  }

  write(data: Uint8Array, start: number, end: number): void {
    if (end - start > this.maxWrite) throw new Error(`write of ${end - start} bytes, maxWrite ${this.maxWrite}`);
    if (end <= start) throw new Error("empty write");
    this.writes++;
    const copy = Buffer.from(data.subarray(start, end)); // the module copies into its send buffer
    this.transcript.push({ from: "client", bytes: copy });
    this.socket.write(copy, () => setImmediate(() => this.sink?.onSent()));
  }

  close(): void {
    this.closedByClient = true;
    this.ended = true;
    this.socket.end();
    this.socket.destroySoon?.();
  }

  /** Client bytes, all of them, as text. */
  clientText(): string {
    return Buffer.concat(this.transcript.filter((e) => e.from === "client").map((e) => e.bytes)).toString("latin1");
  }

  private drain(): void {
    if (this.draining || !this.sink) return;
    this.draining = true;
    setImmediate(() => this.step());
  }

  /** Hands over one chunk per turn. */
  private step(): void {
    const head = this.queue[0];
    if (!head || this.ended) {
      this.draining = false;
      return;
    }
    const n = Math.min(this.readChunk, head.length);
    this.rx.set(head.subarray(0, n), 0);
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    this.sink?.onBytes(this.rx, 0, n);
    setImmediate(() => this.step());
  }

  private end(error: ReturnType<typeof cellError> | null): void {
    if (this.ended) return;
    // Data still queued goes first (the module reads what it holds before "closed").
    if (this.queue.length) {
      setImmediate(() => this.end(error));
      return;
    }
    this.ended = true;
    this.sink?.onClosed(error);
  }
}
