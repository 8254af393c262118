// The transcript text format (documented in docs/scenarios.md, "Transcripts"):
//
//   # cellmail transcript v1
//   # scenario: smtp-happy-path
//        3300.000 < \r\nRDY\r\n
//        3410.087 > AT+QSMTPCFG="account","alarm@example.com","***"\r
//        3420.000 ! fault: final result of "AT+CSQ" lost
//
// One record a line: virtual time in ms (3 decimals), a direction (">" firmware to
// module, "<" module to firmware, "!" a note from the simulator), one space, then the
// bytes. Bytes 0x20-0x7E print as themselves except "\", which is doubled; CR, LF and
// TAB print as \r \n \t; every other byte as \xHH. Lines starting with "#" are header
// or comments. Credentials never appear: the recorder redacts them before rendering.
export type Dir = ">" | "<" | "!";

export interface TranscriptRecord {
  t: number;
  dir: Dir;
  /** Bytes for ">" and "<". */
  bytes?: Uint8Array;
  /** Text for "!". */
  text?: string;
}

export interface Transcript {
  header: Record<string, string>;
  records: TranscriptRecord[];
}

export function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 13) out += "\\r";
    else if (b === 10) out += "\\n";
    else if (b === 9) out += "\\t";
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return out;
}

export function unescapeBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c & 0xff);
      continue;
    }
    const n = text[++i];
    if (n === "\\") out.push(0x5c);
    else if (n === "r") out.push(13);
    else if (n === "n") out.push(10);
    else if (n === "t") out.push(9);
    else if (n === "x") {
      out.push(parseInt(text.substr(i + 1, 2), 16));
      i += 2;
    } else throw new Error(`bad escape \\${n}`);
  }
  return Uint8Array.from(out);
}

export function renderTranscript(t: Transcript): string {
  const lines = ["# cellmail transcript v1"];
  for (const [k, v] of Object.entries(t.header)) lines.push(`# ${k}: ${v}`);
  for (const r of t.records) {
    const time = r.t.toFixed(3).padStart(12);
    lines.push(`${time} ${r.dir} ${r.dir === "!" ? r.text ?? "" : escapeBytes(r.bytes ?? new Uint8Array(0))}`);
  }
  return lines.join("\n") + "\n";
}

export function parseTranscript(text: string): Transcript {
  const header: Record<string, string> = {};
  const records: TranscriptRecord[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s*([A-Za-z0-9_-]+):\s?(.*)$/.exec(line);
      if (m) header[m[1]] = m[2];
      return;
    }
    const m = /^\s*(\d+(?:\.\d+)?) ([<>!]) ?(.*)$/.exec(line);
    if (!m) throw new Error(`transcript line ${i + 1}: cannot parse "${line}"`);
    const t = Number(m[1]);
    const dir = m[2] as Dir;
    if (dir === "!") records.push({ t, dir, text: m[3] });
    else records.push({ t, dir, bytes: unescapeBytes(m[3]) });
  });
  return { header, records };
}
