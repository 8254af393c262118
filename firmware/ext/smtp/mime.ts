// The streaming MIME writer (RFC 2045, 2046, 5322): a SocketMail (./mail.ts) becomes the
// message bytes piece by piece, into a buffer the caller owns (the SMTP client's output
// buffer), never the whole message in memory. Shapes:
//
//   text only          text/plain; charset=...               quoted-printable
//   text + html        multipart/alternative (plain, then html)
//   with attachments   multipart/mixed: the above, then each attachment, base64
//
// Rules it keeps, whatever the input:
//  - lines of at most 78 bytes in bodies (quoted-printable soft breaks at 76, base64 lines
//    of 76), headers folded by headers.ts: far below the 998 limit;
//  - no bare CR or LF: text line ends (CR LF, lone LF, lone CR) become CR LF, every other
//    control byte is =XX; NUL included;
//  - the boundaries ("=_cm_mixed", "=_cm_alt") contain "=_", which neither quoted-
//    printable ("=" is always followed by two hex digits or a line end) nor base64 can
//    produce, so no content can end a part; they stay the same for every mail;
//  - lines starting with '.' are left to the SMTP client's dot-stuffing.
//
// The writer is a list of items made once per mail (header and boundary texts, and the
// bodies with their encoding); `fill` walks it and remembers where it stopped. Body bytes
// are read through ByteSource.read (attachments in ./store-source.ts come from Store in
// chunks) into one scratch window allocated by the constructor.
import type { ByteSource } from "../../at/types.js";
import { CHARSET_ASCII, CHARSET_BIG5, CHARSET_GB2312 } from "../../mail/message.js";
import { DST_CC, DST_TO } from "../../modem/steps.js";
import type { MessageSource } from "./client.js";
import { MIN_ROOM } from "./client.js";
import { base64Into } from "./base64.js";
import { codeAt } from "../../text/code-at.js";
import { addressField, dateHeader, mailbox, messageId, unstructured } from "./headers.js";
import type { SocketMail } from "./mail.js";

const ITEM_TEXT = 0; //     an ASCII string, as is
const ITEM_QP = 1; //       a body, quoted-printable
const ITEM_BASE64 = 2; //   a body, base64

const BOUNDARY_MIXED = "=_cm_mixed";
const BOUNDARY_ALT = "=_cm_alt";
/** Bytes read at a time from a body (a multiple of 57, the bytes of one base64 line). */
const WINDOW = 570;
const HEX = "0123456789ABCDEF";

/** Content types of attachments by name ending (lower case); anything else is application/octet-stream. */
function contentType(name: string): string {
  const dot = name.indexOf(".") >= 0 ? name.toLowerCase().split(".").pop() : "";
  switch (dot) {
    case "txt":
    case "log":
      return "text/plain";
    case "csv":
      return "text/csv";
    case "json":
      return "application/json";
    case "png":
      return "image/png";
    case "jpg":
    case "jpeg":
      return "image/jpeg";
    case "pdf":
      return "application/pdf";
  }
  return "application/octet-stream";
}

function charsetName(cs: number): string {
  return cs === CHARSET_ASCII ? "us-ascii" : cs === CHARSET_GB2312 ? "gb2312" : cs === CHARSET_BIG5 ? "big5" : "utf-8";
}

export class MimeWriter implements MessageSource {
  finished = true;
  /** The message's items, three entries each: kind (ITEM_*), text, source (one list: XS heap). */
  private items: Array<number | string | ByteSource | null> = [];
  private item = 0; //         the item being written: its kind is items[item * 3]
  private pos = 0; //          chars of a text, bytes of a body, written so far
  private col = 0; //          quoted-printable: chars on the current line
  private lines = 0; //        base64: lines written of this body
  private readonly window: Uint8Array;
  private winSource: ByteSource | null = null;
  private winStart = 0;
  private winLen = 0;

  constructor() {
    this.window = new Uint8Array(WINDOW);
  }

  /** Start writing `mail`; `fill` then gives its bytes. */
  start(mail: SocketMail): void {
    const p = mail.prepared;
    // The item list is emptied, not made anew (XS heap).
    this.items.length = 0;
    this.item = 0;
    this.pos = 0;
    this.col = 0;
    this.lines = 0;
    this.winSource = null;
    let h =
      "Date: " + dateHeader(mail.date) + "\r\n" +
      "From: " + mailbox(mail.fromName, mail.from) + "\r\n" +
      addressField("To", DST_TO, p.types, p.addresses, mail.toNames) +
      addressField("Cc", DST_CC, p.types, p.addresses, mail.ccNames) +
      "Subject: " + unstructured(mail.subject) + "\r\n" +
      "Message-ID: " + messageId(mail.messageKey, mail.from) + "\r\n" +
      "MIME-Version: 1.0\r\n";
    const textType = "Content-Type: text/plain; charset=" + charsetName(p.bodyCharset) + "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
    const htmlType = "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
    const mixed = p.attachments.length > 0;
    const alt = mail.html !== null;
    if (mixed) {
      h += 'Content-Type: multipart/mixed; boundary="' + BOUNDARY_MIXED + '"\r\n\r\n--' + BOUNDARY_MIXED + "\r\n";
    }
    if (alt) {
      h += 'Content-Type: multipart/alternative; boundary="' + BOUNDARY_ALT + '"\r\n\r\n--' + BOUNDARY_ALT + "\r\n" + textType;
      this.add(ITEM_TEXT, h, null);
      this.add(ITEM_QP, "", p.body);
      this.add(ITEM_TEXT, "\r\n--" + BOUNDARY_ALT + "\r\n" + htmlType, null);
      this.add(ITEM_QP, "", mail.html);
      this.add(ITEM_TEXT, "\r\n--" + BOUNDARY_ALT + "--\r\n", null);
    } else {
      this.add(ITEM_TEXT, h + textType, null);
      this.add(ITEM_QP, "", p.body);
    }
    for (let i = 0; i < p.attachments.length; i++) {
      const a = p.attachments[i];
      this.add(
        ITEM_TEXT,
        "\r\n--" + BOUNDARY_MIXED + "\r\nContent-Type: " + contentType(a.name) + '; name="' + a.name + '"\r\n' +
          'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="' + a.name + '"\r\n\r\n',
        null,
      );
      this.add(ITEM_BASE64, "", a.data);
    }
    // A text-only message ends where its body ends: the SMTP client adds the CR LF before
    // its final dot when the body does not end with one (an extra one here would be a line
    // of the text).
    if (mixed) this.add(ITEM_TEXT, "\r\n--" + BOUNDARY_MIXED + "--\r\n", null);
    this.finished = false;
  }

  private add(kind: number, text: string, source: ByteSource | null): void {
    this.items.push(kind, text, source);
  }

  /** Writes the next bytes into dst[offset..limit); returns the new offset (offset itself once finished). */
  fill(dst: Uint8Array, offset: number, limit: number): number {
    let o = offset;
    while (!this.finished && limit - o >= 8) {
      const at = this.item * 3;
      const kind = this.items[at] as number;
      let more: boolean;
      if (kind === ITEM_TEXT) {
        const t = this.items[at + 1] as string;
        let i = this.pos;
        const n = t.length;
        while (i < n && o < limit) dst[o++] = codeAt.call(t, i++);
        this.pos = i;
        more = i < n;
      } else if (kind === ITEM_QP) {
        const r = this.qp(this.items[at + 2] as ByteSource, dst, o, limit);
        more = r < 0;
        o = more ? -r - 1 : r;
      } else {
        if (limit - o < MIN_ROOM) break;
        const r = this.base64(this.items[at + 2] as ByteSource, dst, o, limit);
        more = r < 0;
        o = more ? -r - 1 : r;
      }
      if (more) break;
      this.item++;
      this.pos = 0;
      this.col = 0;
      this.lines = 0;
      if (this.item * 3 >= this.items.length) {
        this.finished = true;
        this.items.length = 0;
        this.winSource = null;
      }
    }
    return o;
  }

  /** Byte `p` of `src` (p < src.length), through the window. */
  private byteAt(src: ByteSource, p: number): number {
    if (src !== this.winSource || p < this.winStart || p >= this.winStart + this.winLen) {
      this.winSource = src;
      this.winStart = p;
      this.winLen = src.read(p, this.window, 0, WINDOW);
      if (this.winLen <= 0) return -1;
    }
    return this.window[p - this.winStart];
  }

  /**
   * Quoted-printable (RFC 2045 6.7) of `src` from this.pos into dst[o..limit). Returns
   * the new offset when the body is done, or -(offset + 1) when the room ran out.
   */
  private qp(src: ByteSource, dst: Uint8Array, o: number, limit: number): number {
    const len = src.length;
    let p = this.pos;
    let col = this.col;
    while (p < len) {
      if (limit - o < 8) {
        this.pos = p;
        this.col = col;
        return -(o + 1);
      }
      // Fast path: plain bytes (printable, not '=', a space not before a line end) straight
      // from the window, while the line has room; everything else takes the general step.
      if (src === this.winSource) {
        const win = this.window;
        const ws = this.winStart;
        const we = ws + this.winLen;
        const stop = limit - 8;
        while (p >= ws && p + 1 < we && col < 75 && o < stop) {
          const c = win[p - ws];
          if ((c > 32 && c < 127 && c !== 61) || (c === 32 && win[p + 1 - ws] !== 13 && win[p + 1 - ws] !== 10)) {
            dst[o++] = c;
            col++;
            p++;
          } else break;
        }
        if (p >= len || limit - o < 8) continue;
      }
      const b = this.byteAt(src, p);
      if (b < 0) break; // the source ended early: what it gave is the body
      if (b === 13 || b === 10) {
        // A line end: CR LF, lone LF or lone CR, written as CR LF.
        p++;
        if (b === 13 && p < len && this.byteAt(src, p) === 10) p++;
        dst[o++] = 13;
        dst[o++] = 10;
        col = 0;
        continue;
      }
      let literal = b > 32 && b < 127 && b !== 61;
      if (b === 32 || b === 9) {
        // Space and tab stay as they are unless they end a line (RFC 2045 rule 3).
        const next = p + 1 < len ? this.byteAt(src, p + 1) : -1;
        literal = next !== 13 && next !== 10 && next >= 0;
      }
      const w = literal ? 1 : 3;
      if (col + w > 75) {
        dst[o++] = 61; // '=' soft line break
        dst[o++] = 13;
        dst[o++] = 10;
        col = 0;
      }
      if (literal) dst[o++] = b;
      else {
        dst[o++] = 61;
        dst[o++] = codeAt.call(HEX, b >> 4);
        dst[o++] = codeAt.call(HEX, b & 15);
      }
      col += w;
      p++;
    }
    this.pos = p;
    this.col = col;
    return o;
  }

  /** Base64 of `src` from this.pos, 76 chars a line; as qp for the result. */
  private base64(src: ByteSource, dst: Uint8Array, o: number, limit: number): number {
    const len = src.length;
    let p = this.pos;
    while (p < len) {
      if (limit - o < 80) {
        this.pos = p;
        return -(o + 1);
      }
      let n = len - p < 57 ? len - p : 57;
      if (src !== this.winSource || p < this.winStart || p + n > this.winStart + this.winLen) {
        this.winSource = src;
        this.winStart = p;
        this.winLen = src.read(p, this.window, 0, WINDOW);
        if (this.winLen <= 0) break;
        if (n > this.winLen) n = this.winLen;
      }
      if (this.lines > 0) {
        dst[o++] = 13;
        dst[o++] = 10;
      }
      const at = p - this.winStart;
      o = base64Into(this.window, at, at + n, dst, o);
      this.lines++;
      p += n;
    }
    this.pos = p;
    return o;
  }
}
