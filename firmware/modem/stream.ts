// A byte stream over one TCP or TLS connection, already open: what cellmail's own SMTP
// client (firmware/ext/smtp) talks over and what the module's sockets (firmware/ext/socket)
// provide. In the modem layer so that both optional modules, which may not import each
// other, share it; the client knows nothing of AT commands.
//
// How a module socket maps onto it:
//   write(data, start, end)  AT+QISEND=<id>,<n> (AT+QSSLSEND) for at most maxWrite bytes at
//                            a time, the '>' prompt, exactly n bytes; the write is done
//                            (sink.onSent) only when the module said SEND OK. One write at a
//                            time: the client waits for onSent before it touches `data`
//                            again, so the transport may send straight from it (no copy).
//   sink.onBytes             each chunk AT+QIRD (AT+QSSLRECV) returned, after a "recv" URC
//                            or a poll; data[start..end) is valid only during the call.
//   sink.onClosed(null)      +QIURC: "closed" (the peer ended the connection), once every
//                            byte it sent before has been handed over.
//   sink.onClosed(error)     SEND FAIL, a failed read, the PDP context lost: a typed error
//                            (kinds of firmware/errors.ts; the module's socket codes 550-574).
//   close()                  AT+QICLOSE (AT+QSSLCLOSE); no sink call follows it.
// No sink call comes from inside write() or close(): the client may write again from within
// onSent and onBytes.
import type { CellError } from "../errors.js";

export interface StreamSink {
  /** Bytes from the server; data[start..end) is valid only during the call. */
  onBytes(data: Uint8Array, start: number, end: number): void;
  /** The last write was taken whole (SEND OK). */
  onSent(): void;
  /** The connection ended: null when the peer closed it, else why it failed. */
  onClosed(error: CellError | null): void;
}

export interface ByteStream {
  /** The most bytes one write may carry (AT+QISEND takes at most 1460). */
  readonly maxWrite: number;
  /** Send data[start..end) (at most maxWrite bytes); the sink's onSent follows once it is taken. */
  write(data: Uint8Array, start: number, end: number): void;
  /** Close the connection; no sink call follows. */
  close(): void;
}

/** A stream that opens its own connection (the module's socket, firmware/ext/socket). */
export interface StreamConnector extends ByteStream {
  /** AT commands written so far. */
  readonly commands: number;
  /**
   * Open a connection to host:port, TLS from the first byte when `tls`; `done(null)` once it
   * is open (on a fresh turn), after which the stream's events reach `sink`; not at all once
   * close() was called, even when the open had succeeded in the same turn. Throws a
   * KIND_CONFIG error for a host the AT quoting gate refuses, before anything is written.
   */
  connect(host: string, port: number, tls: boolean, sink: StreamSink, done: (err: CellError | null) => void): void;
}
