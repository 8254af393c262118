// The byte stream the SMTP client talks over: one TCP or TLS connection, already open.
// The transport (the EC800 driver's AT+QIOPEN/AT+QSSLOPEN sockets on a board, a Node
// socket in the tests) implements ByteStream and feeds the client's StreamSink; the
// client knows nothing of AT commands.
//
// How a module socket maps onto it:
//   write(data, start, end)  AT+QISEND=<id>,<n> (AT+QSSLSEND) for at most maxWrite bytes at
//                            a time, the '>' prompt, exactly n bytes; the write is done
//                            (sink.onSent) only when the module said SEND OK. One write at a
//                            time: the client waits for onSent before it touches `data`
//                            again, so the transport may send straight from it (no copy).
//   sink.onBytes             each chunk AT+QIRD (AT+QSSLRECV) returned, after a "recv" URC
//                            or a poll; data[start..end) is valid only during the call.
//   sink.onClosed(null)      +QIURC: "closed" (the peer ended the connection).
//   sink.onClosed(error)     SEND FAIL, a failed read, the PDP context lost: a typed error
//                            (kinds of firmware/errors.ts; the transport's socket codes).
//   close()                  AT+QICLOSE (AT+QSSLCLOSE); no sink call follows it.
// Every sink call comes from the transport on its own turn, never from inside write() or
// close(): the client may write again from within onSent and onBytes.
import type { CellError } from "../../errors.js";

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
