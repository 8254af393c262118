// ext/smtp inside real XS (xsnap-worker): the client and the MIME writer stream a mail with
// a 10,240-byte body to the real smtp-server (bench/xs-socket-mail.ts carries the bytes),
// and the worker's meters give the heap slots (xs.socket.mail.peakLiveSlots). XS meters
// are deterministic counts, not time.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benchBody, measureSocketPeak, type SocketMailPeak } from "../../bench/xs-socket-mail.js";
import { lineProblems } from "./helpers.js";

const recorded = JSON.parse(readFileSync(new URL("../../bench/results.json", import.meta.url), "utf8")) as Record<string, number>;

describe("ext/smtp in XS", () => {
  let m: SocketMailPeak;

  it("sends a 10,240-byte mail through the streaming MIME writer; mailparser reads it back exactly", async () => {
    m = await measureSocketPeak(10240, 3);
    // The body does not end with a line end: SMTP's final CR LF . CR LF gives it one.
    expect(m.mail.text).toBe(benchBody(10240).replace(/\r\n/g, "\n") + "\n");
    expect(m.mail.parsed.messageId).toBe("<alarm-1.alarm@cellmail.test>");
    expect(m.mail.user).toBe("board7");
    expect(lineProblems(m.mail.raw)).toEqual([]);
    // greeting, EHLO, AUTH, MAIL+RCPT+DATA (pipelined), end of data, QUIT
    expect(m.roundTrips).toBe(6);
    expect(m.clientBytes).toBeGreaterThan(10240);
  }, 60_000);

  it("its peak of heap slots stays below the module path's for the same mail (xs.mail.peakLiveSlots), and nothing is left behind", () => {
    expect(m.peakLiveSlots).toBeGreaterThan(m.liveSlotsAtStart);
    expect(m.peakLiveSlots, `peak ${m.peakLiveSlots}, module path ${recorded["xs.mail.peakLiveSlots"]}`).toBeLessThanOrEqual(recorded["xs.mail.peakLiveSlots"]);
    // What stays after gc(): the client, its buffers and the writer, made once; and no growth from mail to mail.
    expect(m.liveSlotsAfter - m.liveSlotsAtStart).toBeLessThan(300);
    expect(m.mails).toBe(3);
    expect(m.liveSlotGrowth, "live slots after gc(), mail 3 minus mail 1").toBeLessThanOrEqual(50);
  });
});
