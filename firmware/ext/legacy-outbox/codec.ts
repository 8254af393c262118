// The earlier firmware's record codec: a positional JSON array, UTF-8 encoded, starting
// with its format version (migrate.ts reads them; tests write them).
import { utf8Bytes, utf8Decode } from "../../text/utf8.js";

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
