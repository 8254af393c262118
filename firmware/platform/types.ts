// The platform contract: the only ways the core touches the world. Adapters for
// Moddable, Espruino and Node implement these; the core imports nothing else.
// Kept deliberately small so that each adapter is a thin, obvious file.

/** Receives UART events. The engine implements this and attaches itself. */
export interface UartSink {
  /**
   * Bytes arrived. `data[start..end)` is valid only during the call: the adapter
   * may reuse the buffer afterwards, so the sink copies what it keeps.
   */
  onBytes(data: Uint8Array, start: number, end: number): void;
  /** Room freed in the transmit path after a write that was not fully accepted. */
  onWritable(): void;
}

export interface Uart {
  attach(sink: UartSink): void;
  /**
   * Offer `data[start..end)` for transmission. Returns how many bytes were taken
   * (0..end-start). When fewer were taken, the sink's onWritable fires later.
   */
  write(data: Uint8Array, start: number, end: number): number;
  /** Stop delivering events; pending output may be dropped. */
  close(): void;
}

/**
 * Receives a text port's events: a port whose platform hands over received data as
 * strings of 8-bit characters (Espruino), framed with the platform's native string
 * methods instead of being copied into bytes one by one (firmware/compact/framing.ts).
 */
export interface TextSink {
  /** Characters arrived (each one byte, 0..255). */
  onText(chunk: string): void;
  /** As UartSink.onWritable. */
  onWritable(): void;
}

/**
 * A Uart that delivers received data as text (its write side is the Uart's, and takes
 * strings of 8-bit characters too). Its
 * methods may be called detached (`const w = port.write; w(...)`), and the sink's
 * onText may be handed to the platform as its data handler: neither uses `this`.
 */
export interface TextUart {
  attach(sink: TextSink): void;
  /** As Uart.write; a string is written as its character codes (0..255 each). */
  write(data: Uint8Array | string, start: number, end: number): number;
  close(): void;
}

/** Opaque handle returned by Clock.setTimer. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds, monotonic. Virtual in tests and in the simulator. */
  now(): number;
  /**
   * One-shot timer. Fires once, after at least `ms` milliseconds, always on a fresh turn
   * (never inside this call). Timers due at the same time fire in the order they were set:
   * the core's deferrals (firmware/turn.ts, nextTurn) rely on it.
   */
  setTimer(ms: number, fire: () => void): TimerHandle;
  /** Cancel a timer; harmless if it already fired or was cleared, and for null. */
  clearTimer(handle: TimerHandle): void;
}

/** Small key -> bytes persistence (Moddable Preference, Espruino Storage, a file on Node). */
export interface Store {
  /** The stored bytes, or undefined when the key is absent. */
  read(key: string): Uint8Array | undefined;
  /** Replace the value atomically (as far as the platform allows). */
  write(key: string, value: Uint8Array): void;
  remove(key: string): void;
  /** Keys currently present (bounded; used at start-up to recover state). */
  keys(): string[];
}

/** A digital input edge source. */
export interface Input {
  /** Called on every edge with the new level (0 or 1); debouncing is the alarm layer's job. */
  watch(onEdge: (level: number) => void): void;
  /** Current level. */
  read(): number;
  close(): void;
}

export const LOG_DEBUG = 0;
export const LOG_INFO = 1;
export const LOG_WARN = 2;
export const LOG_ERROR = 3;

/** Log sink. Never given secrets: callers redact before logging. */
export interface Log {
  (level: number, message: string): void;
  /**
   * The lowest level this log prints, when it knows it (the platform logs do). Below it a
   * message is dropped, so the core does not build it (`logs`): a debug line per command is
   * garbage on a board that logs at LOG_INFO.
   */
  level?: number;
}

/** Whether `log` prints `level` (a log that does not say prints everything). */
export function logs(log: Log | null | undefined, level: number): boolean {
  return !!log && !((log.level as number) > level);
}
