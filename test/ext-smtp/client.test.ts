// The SMTP client (firmware/ext/smtp/client.ts) against scripted servers on the virtual
// clock: what a real server rarely does on demand (silence, garbage, a hang-up in the middle
// of the data, SEND FAIL, replies split at every byte, multi-line refusals), and the
// reply reader on its own.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { SmtpClient, S_DONE, recipientField, type Envelope, type MessageSource } from "../../firmware/ext/smtp/client.js";
import { DST_BCC, DST_CC, DST_TO } from "../../firmware/modem/steps.js";
import type { ByteStream, StreamSink } from "../../firmware/modem/stream.js";
import { ReplyReader } from "../../firmware/ext/smtp/reply.js";
import { socketTransportError } from "../../firmware/ext/smtp/refusal.js";
import { cellError, KIND_CONFIG, KIND_NETWORK, KIND_PERMANENT, KIND_RETRYABLE, E_SMTP_GARBLED, E_STARTTLS_SOCKET, type CellError } from "../../firmware/errors.js";

/** A message of fixed bytes, given `step` bytes per fill. */
class FixedMessage implements MessageSource {
  finished = false;
  private pos = 0;
  constructor(private readonly bytes: Uint8Array, private readonly step = 1 << 20) {}
  fill(dst: Uint8Array, offset: number, limit: number): number {
    const n = Math.min(limit - offset, this.step, this.bytes.length - this.pos);
    dst.set(this.bytes.subarray(this.pos, this.pos + n), offset);
    this.pos += n;
    if (this.pos >= this.bytes.length) this.finished = true;
    return offset + n;
  }
}

type Script = (line: string, s: ScriptedStream) => void;

/** A server played by a function of each client line; replies delivered on later turns of the virtual clock. */
class ScriptedStream implements ByteStream {
  readonly maxWrite: number;
  readonly lines: string[] = [];
  readonly writes: number[] = [];
  /** Virtual time of the last write (its onSent comes 10 ms later). */
  lastWriteAt = -1;
  data = "";
  inData = false;
  closed = false;
  sendFail = false;
  private pending = "";
  sink!: StreamSink;
  constructor(private readonly clock: VirtualClock, private readonly script: Script, maxWrite = 1460, private readonly split = 0) {
    this.maxWrite = maxWrite;
  }
  write(data: Uint8Array, start: number, end: number): void {
    expect(end - start).toBeLessThanOrEqual(this.maxWrite);
    expect(this.closed).toBe(false);
    this.writes.push(end - start);
    this.lastWriteAt = this.clock.now();
    const text = Buffer.from(data.subarray(start, end)).toString("latin1");
    if (this.sendFail) {
      this.clock.setTimer(5, () => this.sink.onClosed(cellError(KIND_NETWORK, 654, "SEND FAIL", "")));
      return;
    }
    this.clock.setTimer(10, () => {
      this.pending += text;
      let i: number;
      while ((i = this.pending.indexOf("\r\n")) >= 0) {
        const line = this.pending.slice(0, i);
        this.pending = this.pending.slice(i + 2);
        if (this.inData) {
          if (line === ".") {
            this.inData = false;
            this.script(".", this);
          } else this.data += line + "\r\n";
        } else {
          this.lines.push(line);
          this.script(line, this);
        }
      }
      this.sink.onSent();
    });
  }
  close(): void {
    this.closed = true;
  }
  /** The server says `text` (CR LF added per line), after `ms`. */
  say(text: string, ms = 20): void {
    const bytes = Buffer.from(text, "latin1");
    this.clock.setTimer(ms, () => {
      if (this.closed) return;
      if (this.split > 0) {
        for (let i = 0; i < bytes.length; i += this.split) this.sink.onBytes(new Uint8Array(bytes.subarray(i, i + this.split)), 0, Math.min(this.split, bytes.length - i));
      } else this.sink.onBytes(new Uint8Array(bytes), 0, bytes.length);
    });
  }
  hangUp(ms = 20): void {
    this.clock.setTimer(ms, () => !this.closed && this.sink.onClosed(null));
  }
}

/** A well-behaved server: EHLO with the given extensions, accepts everything. */
function goodServer(ext: string[] = ["PIPELINING", "AUTH PLAIN LOGIN"], overrides: Record<string, string> = {}): Script {
  return (line, s) => {
    const verb = line === "." ? "." : line.split(/[ :]/)[0].toUpperCase();
    if (overrides[verb] !== undefined) {
      if (overrides[verb] === "silent") return;
      if (overrides[verb] === "hangup") return s.hangUp();
      return s.say(overrides[verb]);
    }
    switch (verb) {
      case "EHLO":
        return s.say(["mx.test greets you", ...ext].map((e, i, all) => (i === all.length - 1 ? "250 " : "250-") + e).join("\r\n") + "\r\n");
      case "HELO":
      case "MAIL":
      case "RCPT":
        return s.say("250 ok\r\n");
      case "AUTH":
        return s.say("235 ok\r\n");
      case "DATA":
        s.inData = true;
        return s.say("354 go\r\n");
      case ".":
        return s.say("250 queued\r\n");
      case "QUIT":
        s.say("221 bye\r\n");
        return s.hangUp(30);
    }
    return s.say("500 what\r\n");
  };
}

const ENVELOPE: Envelope = { from: "a@cellmail.test", recipients: ["x@example.com", "y@example.com"], types: [DST_TO, DST_BCC] };

async function run(
  script: Script,
  options: { message?: string; user?: string; maxWrite?: number; split?: number; greeting?: string; buffer?: number; sendFail?: boolean; step?: number } = {},
): Promise<{ error: CellError | null | undefined; stream: ScriptedStream; client: SmtpClient; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const stream = new ScriptedStream(clock, script, options.maxWrite, options.split);
  stream.sendFail = !!options.sendFail;
  const client = new SmtpClient({ clock, user: options.user ?? "", password: "pw", bufferBytes: options.buffer });
  stream.sink = client;
  let error: CellError | null | undefined;
  const msg = new FixedMessage(Buffer.from(options.message ?? "Subject: x\r\n\r\nhello\r\n", "latin1"), options.step);
  client.send(stream, ENVELOPE, msg, (e) => (error = e));
  stream.say(options.greeting ?? "220 mx.test ready\r\n");
  await clock.run({ until: () => client.state === S_DONE && error !== undefined, forMs: 3_600_000 });
  return { error, stream, client, clock };
}

describe("recipientField", () => {
  it("names a recipient by its kind and its place among its kind, as the job wrote it", () => {
    const types = [DST_TO, DST_CC, DST_TO, DST_BCC, DST_CC, DST_BCC];
    expect(types.map((_, i) => recipientField(types, i))).toEqual(["to[0]", "cc[0]", "to[1]", "bcc[0]", "cc[1]", "bcc[1]"]);
  });
});

describe("SmtpClient on scripted servers (virtual clock)", () => {
  it("delivers; the replies split into 1-byte reads change nothing", async () => {
    for (const split of [0, 1, 2, 7]) {
      const r = await run(goodServer(), { split });
      expect(r.error).toBeNull();
      expect(r.stream.data).toBe("Subject: x\r\n\r\nhello\r\n");
      expect(r.stream.lines).toEqual(["EHLO localhost", "MAIL FROM:<a@cellmail.test>", "RCPT TO:<x@example.com>", "RCPT TO:<y@example.com>", "DATA", "QUIT"]);
      expect(r.stream.closed).toBe(true);
      await r.clock.run({ forMs: 1000 }); // the script's own hang-up after QUIT
      expect(r.clock.pendingTimers(), "the client's timer is cleared").toBe(0);
    }
  });

  it("a multi-line greeting and a multi-line refusal: the code of the whole reply counts", async () => {
    const r = await run(goodServer(["PIPELINING"], { MAIL: "550-5.7.1 first line\r\n550-second line\r\n550 5.7.1 sender rejected\r\n" }), {
      greeting: "220-mx.test\r\n220-more\r\n220 ready\r\n",
    });
    expect(r.error).toMatchObject({ kind: KIND_PERMANENT, code: 678, proto: 550, field: "sender.address" });
    expect(r.error!.cause).toContain("5.7.1 sender rejected");
  });

  it("a reply that is not SMTP: E_SMTP_GARBLED; lines of one reply with different codes too", async () => {
    const a = await run(goodServer(["PIPELINING"], { MAIL: "hello there\r\n" }));
    expect(a.error).toMatchObject({ kind: KIND_RETRYABLE, code: E_SMTP_GARBLED });
    const b = await run(goodServer(["PIPELINING"], { MAIL: "250-ok\r\n550 no\r\n" }));
    expect(b.error).toMatchObject({ code: E_SMTP_GARBLED });
  });

  it("an overlong reply line is cut to 512 bytes and the reply still understood", async () => {
    const r = await run(goodServer(["PIPELINING"], { MAIL: "250 " + "x".repeat(3000) + "\r\n" }));
    expect(r.error).toBeNull();
  });

  it("no greeting: 658 (timeout) after 300 virtual seconds; no reply to DATA's end: after 600", async () => {
    const clock0 = Date.now();
    const a = await run(goodServer(), { greeting: "" });
    expect(a.error).toMatchObject({ kind: KIND_RETRYABLE, code: 658 });
    expect(a.clock.now()).toBe(300_000);
    const b = await run(goodServer(["PIPELINING"], { ".": "silent" }));
    expect(b.error).toMatchObject({ code: 658 });
    expect(b.error!.cause).toContain("end of data");
    expect(b.stream.closed).toBe(true);
    // The wait runs from the dot's SEND OK, to the millisecond, although the timer of the
    // greeting's wait (300 s from the start) was kept when the waits grew longer.
    expect(b.clock.now()).toBe(b.stream.lastWriteAt + 10 + 600_000);
    // A wait made shorter: QUIT's 30 s, from QUIT's SEND OK (the mail was reported delivered).
    const c = await run(goodServer(["PIPELINING"], { QUIT: "silent" }));
    expect(c.error).toBeNull();
    expect(c.stream.lines.at(-1)).toBe("QUIT");
    expect(c.clock.now()).toBe(c.stream.lastWriteAt + 10 + 30_000);
    expect(Date.now() - clock0).toBeLessThan(10_000); // virtual time: no real wait
  });

  it("the reply to the end of the message lost or damaged: the outcome is unknown, said so (and logged); before the end a failure loses nothing", async () => {
    for (const how of ["silent", "hangup", "2\x150 queued\r\n"]) {
      const logs: string[] = [];
      const clock = new VirtualClock();
      const stream = new ScriptedStream(clock, goodServer(["PIPELINING"], { ".": how }));
      const client = new SmtpClient({ clock, user: "", password: "pw", log: { note: (_level, m) => logs.push(m) } });
      stream.sink = client;
      let error: CellError | null | undefined;
      client.send(stream, ENVELOPE, new FixedMessage(Buffer.from("Subject: x\r\n\r\nhello\r\n", "latin1")), (e) => (error = e));
      stream.say("220 mx.test ready\r\n");
      await clock.run({ until: () => client.state === S_DONE && error !== undefined, forMs: 3_600_000 });
      expect(error, how).toMatchObject({ kind: KIND_RETRYABLE });
      expect(error!.cause, how).toContain("outcome unknown");
      expect(logs, how).toEqual(["mail: " + error!.cause]);
    }
    // A hang-up before the end: an ordinary failure, nothing logged.
    const r = await run(goodServer(["PIPELINING"], { DATA: "hangup" }));
    expect(r.error!.cause).not.toContain("outcome unknown");
  });

  it("the peer hangs up in the middle: 656 (connection closed), retryable", async () => {
    const r = await run(goodServer(["PIPELINING"], { RCPT: "hangup" }));
    expect(r.error).toMatchObject({ kind: KIND_RETRYABLE, code: 656 });
  });

  it("SEND FAIL from the transport: its error comes through as it is", async () => {
    const r = await run(goodServer(), { sendFail: true });
    expect(r.error).toMatchObject({ kind: KIND_NETWORK, code: 654 });
  });

  it("refusals of EHLO+HELO, of the DATA command and of AUTH LOGIN's steps are typed; QUIT follows", async () => {
    const helo = await run(goodServer([], { EHLO: "502 no\r\n", HELO: "550 go away\r\n" }));
    expect(helo.error).toMatchObject({ kind: KIND_PERMANENT, code: 678, proto: 550 });
    expect(helo.error!.cause).toContain("(HELO)");
    expect(helo.stream.lines.slice(-1)).toEqual(["QUIT"]);
    for (const pipelining of [["PIPELINING"], []]) {
      const data = await run(goodServer(pipelining, { DATA: "554 no data for you\r\n" }));
      expect(data.error).toMatchObject({ kind: KIND_PERMANENT, code: 682, proto: 554 });
      expect(data.error!.cause).toContain("(DATA)");
      expect(data.stream.lines.slice(-1)).toEqual(["QUIT"]);
    }
    const user: Script = (line, s) => {
      if (line === "AUTH LOGIN") return s.say("334 VXNlcm5hbWU6\r\n");
      if (line === Buffer.from("u").toString("base64")) return s.say("535 5.7.8 no such user\r\n");
      return goodServer(["AUTH LOGIN"])(line, s);
    };
    const login = await run(user, { user: "u" });
    expect(login.error).toMatchObject({ kind: KIND_PERMANENT, code: 677, proto: 535, field: "smtp.user" });
    expect(login.stream.lines).not.toContain(Buffer.from("pw").toString("base64"));
  });

  it("a 421 at any point ends at once without QUIT", async () => {
    const r = await run(goodServer(["PIPELINING"], { DATA: "421 shutting down\r\n" }));
    expect(r.error).toMatchObject({ kind: KIND_RETRYABLE, code: 666, proto: 421 });
    expect(r.stream.lines).not.toContain("QUIT");
  });

  it("a server reply in the middle of the message data ends the conversation (no QUIT inside the data)", async () => {
    const big = "Subject: x\r\n\r\n" + "line of text\r\n".repeat(400);
    let said = false;
    const script: Script = (line, s) => {
      goodServer()(line, s);
      if (s.inData && !said && line === "DATA") {
        said = true;
        s.say("552 too big\r\n", 15);
      }
    };
    const r = await run(script, { message: big, maxWrite: 64, step: 100 });
    expect(r.error).toMatchObject({ kind: KIND_PERMANENT, code: 680, proto: 552 });
    expect(r.stream.closed).toBe(true);
    expect(r.stream.lines).not.toContain("QUIT");
  });

  it("writes never exceed maxWrite; the body is dot-stuffed, the terminator added after a body without a final CR LF", async () => {
    const message = ".first\r\nmid\r\n.\r\n..two\r\nlast line without end";
    const r = await run(goodServer(), { message, maxWrite: 16, step: 5, buffer: 256 });
    expect(r.error).toBeNull();
    expect(Math.max(...r.stream.writes)).toBeLessThanOrEqual(16);
    expect(r.stream.data).toBe("..first\r\nmid\r\n..\r\n...two\r\nlast line without end\r\n");
  });

  it("AUTH with a user: PLAIN preferred, LOGIN when PLAIN is not offered, 655 when neither", async () => {
    const plain = await run(goodServer(["AUTH LOGIN PLAIN"]), { user: "u" });
    expect(plain.stream.lines[1]).toBe("AUTH PLAIN " + Buffer.from("\0u\0pw").toString("base64"));
    const login: Script = (line, s) => {
      if (line === "AUTH LOGIN") return s.say("334 VXNlcm5hbWU6\r\n");
      if (line === Buffer.from("u").toString("base64")) return s.say("334 UGFzc3dvcmQ6\r\n");
      if (line === Buffer.from("pw").toString("base64")) return s.say("235 ok\r\n");
      return goodServer(["AUTH=LOGIN"])(line, s);
    };
    const l = await run(login, { user: "u" });
    expect(l.error).toBeNull();
    expect(l.client.authLogin && !l.client.authPlain).toBe(true);
    const none = await run(goodServer(["PIPELINING"]), { user: "u" });
    expect(none.error).toMatchObject({ kind: KIND_CONFIG, code: 655 });
  });
});

describe("SmtpClient: injection through its own inputs", () => {
  it("an EHLO name that is not a domain or an address literal is refused when the client is made", () => {
    const clock = new VirtualClock();
    for (const bad of ["board\r\nRSET", "a b", "x".repeat(65), "[1.2.3.4", "[a.b]", "board\u0000"]) {
      expect(() => new SmtpClient({ clock, user: "", password: "", heloName: bad }), JSON.stringify(bad)).toThrow();
      try {
        new SmtpClient({ clock, user: "", password: "", heloName: bad });
      } catch (e) {
        expect(e).toMatchObject({ kind: KIND_CONFIG, field: "heloName" });
      }
    }
    for (const good of ["board.cellmail.test", "localhost", "[10.0.0.1]", "a-b"]) expect(() => new SmtpClient({ clock, user: "", password: "", heloName: good })).not.toThrow();
  });

  it("an envelope address that could end a command is never written (the last line of defence behind prepareSocketMail)", async () => {
    const clock = new VirtualClock();
    const client = new SmtpClient({ clock, user: "", password: "" });
    const stream = new ScriptedStream(clock, goodServer());
    stream.sink = client;
    let error: CellError | null | undefined;
    client.send(stream, { from: "a@cellmail.test", recipients: ["x@example.com\r\nRCPT TO:<evil@x.test>"], types: [DST_TO] }, new FixedMessage(Buffer.from("x")), (e) => (error = e));
    await clock.run({ until: () => error !== undefined, forMs: 1000 });
    expect(error).toMatchObject({ kind: KIND_CONFIG, field: "to[0]" });
    expect(stream.writes).toEqual([]);
    expect(stream.closed).toBe(true);
  });

  it("credentials are encoded in place: any length and UTF-8 give the base64 of their bytes, and the buffer keeps no copy", async () => {
    const clock = new VirtualClock();
    for (const [user, password] of [["u", "pw"], ["ü", "Pässwörd🔥"], ["user@example.com", "x".repeat(100)], ["温度", "ab"], ["a", "abc"], ["ab", "abcd"]]) {
      for (const buffer of [256, 1460]) {
        const plain = new ScriptedStream(clock, goodServer(["AUTH PLAIN"]));
        const client = new SmtpClient({ clock, user, password, bufferBytes: buffer });
        plain.sink = client;
        let error: CellError | null | undefined;
        client.send(plain, ENVELOPE, new FixedMessage(Buffer.from("Subject: x\r\n\r\nhi\r\n")), (e) => (error = e));
        plain.say("220 ready\r\n");
        await clock.run({ until: () => client.state === S_DONE && error !== undefined, forMs: 3_600_000 });
        expect(error, `${user} ${password} ${buffer}`).toBeNull();
        expect(plain.lines[1]).toBe("AUTH PLAIN " + Buffer.from(`\0${user}\0${password}`, "utf8").toString("base64"));
        const out = (client as unknown as { out: Uint8Array }).out;
        expect(Buffer.from(out).includes(Buffer.from(password, "utf8")), "a copy of the password left in the buffer").toBe(false);
      }
    }
  });

  it("user and password with CR LF travel base64-encoded: no line of the conversation is theirs", async () => {
    const clock = new VirtualClock();
    const client = new SmtpClient({ clock, user: "u\r\nQUIT", password: "p\r\n.\r\nRSET" });
    const stream = new ScriptedStream(clock, goodServer(["AUTH PLAIN"]));
    stream.sink = client;
    let error: CellError | null | undefined;
    client.send(stream, ENVELOPE, new FixedMessage(Buffer.from("Subject: x\r\n\r\nhi\r\n")), (e) => (error = e));
    stream.say("220 hi\r\n");
    await clock.run({ until: () => error !== undefined && client.state === S_DONE, forMs: 100_000 });
    expect(error).toBeNull();
    expect(stream.lines[1]).toBe("AUTH PLAIN " + Buffer.from("\0u\r\nQUIT\0p\r\n.\r\nRSET").toString("base64"));
    expect(stream.lines.filter((l) => l === "QUIT")).toHaveLength(1);
    expect(stream.lines).not.toContain("RSET");
  });
});

describe("ReplyReader", () => {
  it("finds the same replies however the bytes are split", () => {
    const text = "220-a\r\n220 b\r\n250-x\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n354\r\n550 no\n";
    const bytes = Buffer.from(text, "latin1");
    const want = [220, 250, 354, 550];
    for (let size = 1; size <= bytes.length; size++) {
      const r = new ReplyReader();
      const got: number[] = [];
      const lines: number[] = [];
      const sink = { onReply: (c: number) => got.push(c), onReplyLine: (n: number) => lines.push(n) };
      for (let i = 0; i < bytes.length; i += size) r.feed(new Uint8Array(bytes.subarray(i, i + size)), 0, Math.min(size, bytes.length - i), sink);
      expect(got, `chunks of ${size}`).toEqual(want);
      expect(lines).toEqual([0, 1, 0, 1, 2, 0, 0]);
    }
  });
});

describe("ReplyReader: a line end changed on the wire", () => {
  const read = (bytes: Buffer, size: number): { codes: number[]; lines: string[] } => {
    const r = new ReplyReader();
    const codes: number[] = [];
    const lines: string[] = [];
    const sink = { onReply: (c: number) => codes.push(c), onReplyLine: () => lines.push(Buffer.from(r.line.subarray(0, r.length)).toString("latin1")) };
    for (let i = 0; i < bytes.length; i += size) r.feed(new Uint8Array(bytes.subarray(i, i + size)), 0, Math.min(size, bytes.length - i), sink);
    return { codes, lines };
  };

  it("a CR followed by anything but LF ends the line there (the LF flipped to '*'): the reply is read at once, however the bytes are split", () => {
    // 0x0a with bit 0x20 flipped is '*'; the server says nothing more until the client writes again.
    const bytes = Buffer.from("250 Message queued as 1\r*", "latin1");
    for (let size = 1; size <= bytes.length; size++) {
      expect(read(bytes, size), `chunks of ${size}`).toEqual({ codes: [250], lines: ["250 Message queued as 1"] });
    }
    // A CR at the end of what has come so far waits for the next byte: no reply yet.
    expect(read(Buffer.from("250 Message queued as 1\r", "latin1"), 100).codes).toEqual([]);
  });

  it("what follows the changed LF starts the next line, read as it comes", () => {
    const bytes = Buffer.from("250 ok\r*\r\n221 bye\r\n", "latin1");
    for (let size = 1; size <= bytes.length; size++) {
      expect(read(bytes, size), `chunks of ${size}`).toEqual({ codes: [250, -1, 221], lines: ["250 ok", "*", "221 bye"] });
    }
    // Inside a multi-line reply the stray line ends that reply as not SMTP (-1): never taken as the server's word.
    expect(read(Buffer.from("250-a\r*250-b\r\n", "latin1"), 100).codes).toEqual([-1]);
  });
});

describe("ReplyReader: digits no reply code has", () => {
  it("a first digit outside 1-5 or a second outside 0-5 is not a reply (a byte changed on the wire), -1", () => {
    for (const [text, want] of [["050 Accepted\r\n", -1], ["650 x\r\n", -1], ["270 x\r\n", -1], ["259 x\r\n", 259], ["150\r\n", 150], ["199\r\n", -1], ["554 no\r\n", 554]] as const) {
      const got: number[] = [];
      new ReplyReader().feed(new Uint8Array(Buffer.from(text, "latin1")), 0, text.length, { onReply: (c: number) => got.push(c), onReplyLine: () => {} });
      expect(got, text).toEqual([want]);
    }
  });
});

describe("socketTransportError: STARTTLS cannot be done on a module socket", () => {
  it("refuses ssl.type 2 with a configuration error, accepts implicit TLS and none", () => {
    expect(socketTransportError(2)).toMatchObject({ kind: KIND_CONFIG, code: E_STARTTLS_SOCKET, field: "smtp.ssl.type" });
    expect(socketTransportError(1)).toBeNull();
    expect(socketTransportError(0)).toBeNull();
  });
});
