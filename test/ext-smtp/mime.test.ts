// The streaming MIME writer (firmware/ext/smtp/mime.ts) on its own: any text, any buffer
// size, read back with mailparser; the header texts (headers.ts).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import { MimeWriter } from "../../firmware/ext/smtp/mime.js";
import { MIN_ROOM } from "../../firmware/ext/smtp/client.js";
import { isMailError, prepareSocketMail, type SocketMailJob } from "../../firmware/ext/smtp/mail.js";
import { dateHeader, encodedWords, messageId } from "../../firmware/ext/smtp/headers.js";
import { bytesSource } from "../../firmware/at/source.js";
import { lineProblems, NETWORK_TIME, SENDER } from "./helpers.js";

function write(job: SocketMailJob, room: number): Buffer {
  const mail = prepareSocketMail(job, SENDER, NETWORK_TIME);
  if (isMailError(mail)) throw new Error(mail.cause);
  const w = new MimeWriter();
  w.start(mail);
  const buf = new Uint8Array(room + 16);
  const parts: Buffer[] = [];
  for (let guard = 0; !w.finished; guard++) {
    if (guard > 1_000_000) throw new Error("no progress");
    const n = w.fill(buf, 8, 8 + room);
    parts.push(Buffer.from(buf.subarray(8, n)));
  }
  return Buffer.concat(parts);
}

describe("MimeWriter", () => {
  it("the same bytes whatever the room it is given, and within the room", () => {
    const job: SocketMailJob = {
      id: "a1",
      to: ["x@example.com"],
      subject: "Grüße",
      body: "héllo\n.world\r\n" + "z".repeat(500),
      html: "<p>" + "é".repeat(300) + "</p>",
      attachments: [{ name: "a.bin", data: bytesSource(new Uint8Array(2000).map((_, i) => (i * 7) & 255)) }],
    };
    const ref = write(job, 4096);
    for (const room of [MIN_ROOM, 81, 97, 128, 333, 1000]) expect(write(job, room).equals(ref), `room ${room}`).toBe(true);
    expect(lineProblems(ref)).toEqual([]);
  });

  it("any body and HTML: no bare CR or LF, no NUL, lines of at most 78 bytes in the bodies; mailparser gives the text back", async () => {
    const text = fc.string({ unit: fc.constantFrom("a", " ", "\t", "\r", "\n", "\r\n", ".", "=", "\u0000", "é", "警", "😀", "\u007f", "-", "--=_cm_alt"), minLength: 1, maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(text, text, fc.integer({ min: MIN_ROOM, max: 400 }), async (body, html, room) => {
        const raw = write({ id: "p", to: ["x@example.com"], subject: "s", body, html }, room);
        expect(lineProblems(raw)).toEqual([]);
        const headerEnd = raw.indexOf("\r\n\r\n");
        for (const line of raw.subarray(headerEnd + 4).toString("latin1").split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
        const parsed = await simpleParser(raw);
        // Line ends become CR LF on the wire; mailparser hands them back as \n.
        expect(parsed.text ?? "").toBe(body.replace(/\r\n|\r|\n/g, "\n"));
        expect(parsed.html === false ? "" : parsed.html).toBe(html.replace(/\r\n|\r|\n/g, "\n"));
      }),
      { numRuns: 150 },
    );
  });

  it("only 7-bit bytes without controls (TAB aside) reach the socket: user text with Ctrl+Z, ESC or any control byte is encoded, never sent raw (the checked send ends at 0x1A and cancels at 0x1B)", async () => {
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).concat(["\u007f", "\u0080", "\u009b", "é", "😀"]);
    const text = fc.string({ unit: fc.constantFrom(...controls, "a", " ", "\r\n", "=", "."), minLength: 1, maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(text, text, fc.integer({ min: MIN_ROOM, max: 300 }), async (body, html, room) => {
        const raw = write({ id: "c", to: ["x@example.com"], subject: "s", body, html, attachments: [{ name: "a.bin", data: bytesSource(Uint8Array.of(0x1a, 0x1b, 0, 255)) }] }, room);
        for (let i = 0; i < raw.length; i++) {
          const b = raw[i];
          // TAB is the one control byte quoted-printable leaves as it is (RFC 2045 6.7): harmless here.
          const ok = (b >= 0x20 && b <= 0x7e) || b === 0x09 || (b === 0x0d && raw[i + 1] === 0x0a) || (b === 0x0a && raw[i - 1] === 0x0d);
          if (!ok) throw new Error(`byte 0x${b.toString(16)} at ${i}: ${JSON.stringify(raw.subarray(Math.max(0, i - 20), i + 20).toString("latin1"))}`);
        }
        const parsed = await simpleParser(raw);
        expect(parsed.text ?? "").toBe(body.replace(/\r\n|\r|\n/g, "\n"));
      }),
      { numRuns: 100 },
    );
  });

  it("text only: one text/plain part, quoted-printable, us-ascii for ASCII text and utf-8 otherwise", () => {
    const a = write({ id: "a", to: ["x@example.com"], subject: "s", body: "plain" }, 512).toString("latin1");
    expect(a).toContain("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nplain");
    expect(a.endsWith("plain")).toBe(true); // the client adds CR LF . CR LF
    const u = write({ id: "a", to: ["x@example.com"], subject: "s", body: "ü" }, 512).toString("latin1");
    expect(u).toContain("charset=utf-8");
    expect(u.endsWith("=C3=BC")).toBe(true);
  });
});

describe("header texts", () => {
  it("Date in UTC for known instants", () => {
    expect(dateHeader(0)).toBe("Thu, 01 Jan 1970 00:00:00 +0000");
    expect(dateHeader(NETWORK_TIME)).toBe("Sun, 06 Dec 2026 22:33:32 +0000");
    expect(dateHeader(Date.UTC(2024, 1, 29, 23, 59, 59))).toBe("Thu, 29 Feb 2024 23:59:59 +0000");
    for (let t = 0; t < 4e12; t += 7.77e9) expect(dateHeader(t)).toBe(new Date(t).toUTCString().replace("GMT", "+0000"));
  });

  it("Message-ID: same id, same value; only dot-atom characters inside", () => {
    expect(messageId("door-1", "a@b.test")).toBe("<door-1.a@b.test>");
    expect(messageId("door 1/ü", "a@b.test")).toBe("<door=201=2F=C3=BC.a@b.test>");
  });

  it("encoded words: at most 75 chars each, never a split character, and they decode to the text", async () => {
    const s = "警报".repeat(40) + "😀x";
    const words = encodedWords(s).split("\r\n ");
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    const parsed = await simpleParser(Buffer.from("Subject: " + encodedWords(s) + "\r\n\r\nx"));
    expect(parsed.subject).toBe(s);
  });
});

describe("prepareSocketMail", () => {
  it("refuses what the module path refuses, and what only this path has: names, HTML size, no network time", async () => {
    const { KIND_CONFIG, KIND_RETRYABLE, E_RECIPIENTS, E_BODY_LENGTH, E_FIELD_TOO_LONG } = await import("../../firmware/errors.js");
    const base: SocketMailJob = { id: "a", to: ["x@example.com"], subject: "s", body: "b" };
    const bad = (job: SocketMailJob, date = NETWORK_TIME) => prepareSocketMail(job, SENDER, date);
    expect(bad({ ...base, to: [] })).toMatchObject({ kind: KIND_CONFIG, code: E_RECIPIENTS });
    expect(bad({ ...base, html: "x".repeat(10241) })).toMatchObject({ kind: KIND_CONFIG, code: E_BODY_LENGTH, field: "html" });
    expect(bad({ ...base, toNames: ["é".repeat(33)] })).toMatchObject({ kind: KIND_CONFIG, code: E_FIELD_TOO_LONG, field: "toNames[0]" });
    expect(bad(base, 0)).toMatchObject({ kind: KIND_RETRYABLE, field: "date" });
    expect(isMailError(bad(base))).toBe(false);
  });
});
