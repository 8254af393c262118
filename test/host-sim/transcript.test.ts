// Transcripts: the text format round-trips, credentials are redacted everywhere, and a
// recorded transcript replays the module's side to a new firmware run.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { UartLink } from "../../host-sim/uart/link.js";
import { escapeBytes, parseTranscript, renderTranscript, unescapeBytes } from "../../host-sim/transcript/format.js";
import { TranscriptReplayer } from "../../host-sim/transcript/replay.js";
import { makeHarness } from "./harness.js";

describe("transcript format", () => {
  it("escapes and unescapes every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = escapeBytes(all);
    expect(text).not.toMatch(/[\x00-\x1f\x7f-\xff]/);
    expect(unescapeBytes(text)).toEqual(all);
    expect(escapeBytes(Buffer.from('AT+X="a\\b"\r\n'))).toBe('AT+X="a\\\\b"\\r\\n');
  });

  it("renders and parses back", () => {
    const t = {
      header: { scenario: "x", baud: "115200" },
      records: [
        { t: 0, dir: "!" as const, text: "module: power on" },
        { t: 3300, dir: "<" as const, bytes: Buffer.from("\r\nRDY\r\n") },
        { t: 3410.087, dir: ">" as const, bytes: Uint8Array.of(0x41, 0x54, 0x0d, 0x00, 0xff) },
      ],
    };
    const text = renderTranscript(t);
    expect(text).toBe(
      "# cellmail transcript v1\n# scenario: x\n# baud: 115200\n       0.000 ! module: power on\n    3300.000 < \\r\\nRDY\\r\\n\n    3410.087 > AT\\r\\x00\\xff\n",
    );
    const back = parseTranscript(text);
    expect(back.header).toEqual(t.header);
    expect(back.records.map((r) => [r.t, r.dir, r.text ?? Array.from(r.bytes!)])).toEqual(
      t.records.map((r) => [r.t, r.dir, "text" in r ? r.text : Array.from(r.bytes)]),
    );
    expect(() => parseTranscript("garbage line")).toThrow(/line 1/);
  });
});

describe("recording", () => {
  it("records both directions with virtual timestamps and redacts the password everywhere", async () => {
    const h = await makeHarness({ modem: { urcPort: "uart1" } });
    await h.cmd('AT+QSMTPCFG="account","alarm@example.com","Sup3rSecret"');
    await h.cmd('AT+QSMTPCFG="account"');
    await h.cmd('AT+QICSGP=1,1,"apn","user","ApnPass1",1');
    const text = h.sim.transcript.render();
    expect(text).not.toContain("Sup3rSecret");
    expect(text).not.toContain("ApnPass1");
    expect(text).toContain('> AT+QSMTPCFG="account","alarm@example.com","***"\\r');
    expect(text).toContain('+QSMTPCFG: "account","alarm@example.com","***"');
    const t = parseTranscript(text);
    expect(t.records.some((r) => r.dir === "<" && Buffer.from(r.bytes!).toString().includes("RDY"))).toBe(true);
    const times = t.records.map((r) => r.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("redacts even when the firmware types the command one byte every 50 ms", async () => {
    const h = await makeHarness();
    for (const c of 'AT+QSMTPCFG="account","u","TopSecret9"\r') {
      await h.write(c);
      await h.run(50);
    }
    await h.runUntil("OK\r\n");
    expect(h.sim.transcript.render()).not.toContain("TopSecret9");
  });
});

describe("replay", () => {
  it("plays the module's side of a recording to a new firmware run", async () => {
    // Record a session.
    const h = await makeHarness({ modem: { urcPort: "uart1" } });
    await h.cmd("ATE0");
    await h.cmd("AT+CSQ");
    await h.cmd("AT+QIACT=1");
    const recorded = parseTranscript(h.sim.transcript.render());

    // Replay it against a "firmware" that sends the same commands at a different pace.
    const clock = new VirtualClock();
    const link = new UartLink(clock);
    const player = new TranscriptReplayer(clock, link, recorded, "input");
    let rx = "";
    link.uart.attach({ onBytes: (d, s, e) => (rx += Buffer.from(d.subarray(s, e)).toString("latin1")), onWritable: () => {} });
    player.start();
    await clock.run({ until: () => rx.includes("+QIND: PB DONE"), forMs: 30_000 });
    await clock.run({ forMs: 100 });
    expect(rx.startsWith("\r\nRDY\r\n")).toBe(true);
    for (const cmd of ["ATE0", "AT+CSQ", "AT+QIACT=1"]) {
      rx = "";
      await clock.run({ forMs: 5000 }); // slower than the original firmware
      link.uart.write(Buffer.from(cmd + "\r"), 0, cmd.length + 1);
      await clock.run({ until: () => rx.includes("OK\r\n"), forMs: 5000 });
      if (cmd === "AT+CSQ") expect(rx).toBe("\r\n+CSQ: 25,99\r\n\r\nOK\r\n");
      if (cmd === "ATE0") expect(rx).toBe("ATE0\r\r\nOK\r\n");
    }
    expect(player.played).toBe(player.total);
    expect(Buffer.concat(player.received.map((r) => r.bytes)).toString()).toBe("ATE0\rAT+CSQ\rAT+QIACT=1\r");
  });

  it("puts the firmware's own credentials back into a redacted echo, once the firmware has sent them", async () => {
    // Recorded with echo on: the module's echo of the account command is redacted like the command.
    const t = parseTranscript(
      [
        // The echo's first byte came before the command's CR: it plays before the firmware has finished the line.
        '     99.000 < AT+QSMTPCFG="account","u","***"\\r',
        '    100.000 > AT+QSMTPCFG="account","u","***"\\r',
        "    130.000 < \\r\\nOK\\r\\n",
        '    200.000 > AT+QICSGP=1,1,"apn","","***",0\\r',
        '    200.000 < AT+QICSGP=1,1,"apn","","***",0\\r\\r\\nOK\\r\\n',
        "",
      ].join("\n"),
    );
    const clock = new VirtualClock();
    const link = new UartLink(clock);
    const player = new TranscriptReplayer(clock, link, t, "input");
    let rx = "";
    link.uart.attach({ onBytes: (d, s, e) => (rx += Buffer.from(d.subarray(s, e)).toString("latin1")), onWritable: () => {} });
    player.start();
    // The firmware under test writes the command slowly, in two parts: nothing redacted is played mid-line.
    const cmd = 'AT+QSMTPCFG="account","u","TopSecret9"\r';
    link.uart.write(Buffer.from(cmd), 0, 20);
    await clock.run({ forMs: 200 });
    expect(rx).toBe("");
    link.uart.write(Buffer.from(cmd), 20, cmd.length);
    await clock.run({ until: () => rx.includes("OK\r\n"), forMs: 5000 });
    expect(rx).toBe('AT+QSMTPCFG="account","u","TopSecret9"\r\r\nOK\r\n');
    rx = "";
    const apn = 'AT+QICSGP=1,1,"apn","","",0\r';
    link.uart.write(Buffer.from(apn), 0, apn.length);
    await clock.run({ until: () => rx.includes("OK\r\n"), forMs: 5000 });
    expect(rx).toBe('AT+QICSGP=1,1,"apn","","",0\r\r\nOK\r\n');
    expect(player.played).toBe(player.total);
  });

  it("time mode plays records at their recorded times", async () => {
    const clock = new VirtualClock();
    const link = new UartLink(clock);
    const t = parseTranscript("    100.000 < \\r\\nRDY\\r\\n\n    250.000 < \\r\\n+CFUN: 1\\r\\n\n");
    const player = new TranscriptReplayer(clock, link, t, "time");
    const seen: [number, string][] = [];
    link.uart.attach({ onBytes: (d, s, e) => seen.push([clock.now(), Buffer.from(d.subarray(s, e)).toString()]), onWritable: () => {} });
    player.start();
    clock.advance(400);
    expect(seen.map(([, s]) => s).join("")).toBe("\r\nRDY\r\n\r\n+CFUN: 1\r\n");
    expect(seen[0][0]).toBeGreaterThanOrEqual(100);
    expect(seen[0][0]).toBeLessThan(102);
  });
});
