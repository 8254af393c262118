// Record codec: a positional JSON array, UTF-8 encoded with our own encoder.
// Positional arrays keep records small (no repeated field names) and need no
// schema machinery; each record starts with its format version.
import { utf8Bytes, utf8Decode } from "../text/utf8.js";

export function encodeRecord(fields: unknown[]): Uint8Array {
  return utf8Bytes(JSON.stringify(fields));
}

/** The array, or undefined when the bytes are not a JSON array with version `version`. */
export function decodeRecord(bytes: Uint8Array, version: number): unknown[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes, 0, bytes.length));
  } catch (e) {
    return undefined;
  }
  if (!(value instanceof Array) || value[0] !== version) return undefined;
  return value;
}

export function num(v: unknown, fallback: number): number {
  return typeof v === "number" && v === v ? v : fallback;
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
