// The AT+QFUPL checksum: XOR of the data taken as big-endian 16-bit words; an odd
// last byte is the high byte of a final word. Printed in lowercase hex, no padding.
export function qfuplChecksum(data: Uint8Array, start = 0, end = data.length): number {
  let ck = 0;
  for (let i = start; i < end; i += 2) ck ^= (data[i] << 8) | (i + 1 < end ? data[i + 1] : 0);
  return ck & 0xffff;
}

export function qfuplChecksumHex(data: Uint8Array, start = 0, end = data.length): string {
  return qfuplChecksum(data, start, end).toString(16);
}
