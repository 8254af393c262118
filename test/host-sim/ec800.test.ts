// EC800 model behaviour: framing, start-up, SIM, registration, PDP, files, and every
// module-side fault, as the reference (ec800-at-behaviour.md) describes them.
import { describe, expect, it } from "vitest";
import { makeHarness, type Harness } from "./harness.js";
import type { FaultSpec } from "../../host-sim/ec800/faults.js";
import { qfuplChecksum } from "../../host-sim/ec800/checksum.js";
import type { SimulatedModemOptions } from "../../host-sim/index.js";

const ok = "\r\nOK\r\n";
const info = (...lines: string[]) => "\r\n" + lines.join("\r\n") + "\r\n" + ok;

async function quiet(opts: Partial<SimulatedModemOptions> = {}, faults: FaultSpec[] = []): Promise<Harness> {
  const h = await makeHarness({
    ...opts,
    modem: { urcPort: "uart1", ...(opts.modem ?? {}), faults: new (await import("../../host-sim/ec800/faults.js")).FaultPlan(faults) },
  });
  await h.cmd("ATE0");
  await h.cmd("AT+CMEE=1");
  return h;
}

async function readyToSend(h: Harness): Promise<void> {
  await h.cmd('AT+QICSGP=1,1,"internet","","",1');
  expect(await h.cmd("AT+QIACT=1")).toBe(ok);
  await h.cmd('AT+QSMTPCFG="smtpserver","smtp.example.com",465');
  await h.cmd('AT+QSMTPDST=1,1,"ops@example.com"');
  await h.cmd('AT+QSMTPSUB=0,"Alarm"');
}

describe("framing", () => {
  it("echoes every byte including CR, ignores LF, answers unknown commands with plain ERROR", async () => {
    const h = await makeHarness();
    expect(await h.cmd("AT")).toBe("AT\r" + ok);
    await h.write("AT\r\n");
    expect(await h.runUntil("OK\r\n")).toBe("AT\r\n" + ok);
    expect(await h.cmd("AT+CMEE=2")).toBe("AT+CMEE=2\r" + ok);
    expect(await h.cmd("AT+NONEXISTENT")).toBe("AT+NONEXISTENT\r\r\nERROR\r\n");
    expect(await h.cmd("ATE0")).toBe("ATE0\r" + ok);
    expect(await h.cmd("ATE1")).toBe(ok);
    expect(await h.cmd("at")).toBe("at\r" + ok);
  });

  it("a lone LF gets no answer; backspace edits the line", async () => {
    const h = await quiet();
    await h.write("\n");
    await h.run(1000);
    expect(h.take()).toBe("");
    await h.write("AT+CSX\bQ\r");
    expect(await h.runUntil("OK\r\n")).toBe(info("+CSQ: 25,99"));
  });

  it("CMEE 0/1/2 give ERROR, numeric and text forms", async () => {
    const h = await quiet({ modem: { sim: "absent" } });
    expect(await h.cmd("AT+CPIN?")).toBe("\r\n+CME ERROR: 10\r\n");
    await h.cmd("AT+CMEE=2");
    expect(await h.cmd("AT+CPIN?")).toBe("\r\n+CME ERROR: SIM not inserted\r\n");
    await h.cmd("AT+CMEE=0");
    expect(await h.cmd("AT+CPIN?")).toBe("\r\nERROR\r\n");
    expect(await h.cmd("AT+CMEE?")).toBe(info("+CMEE: 0"));
    expect(await h.cmd("AT+CMEE=?")).toBe(info("+CMEE: (0-2)"));
  });

  it("ATV0 numeric result codes", async () => {
    const h = await quiet();
    expect(await h.cmd("ATV0", { until: "0\r" })).toBe("0\r");
    expect(await h.cmd("AT+CSQ", { until: "0\r" })).toBe("+CSQ: 25,99\r\n0\r");
    expect(await h.cmd("AT+FOO", { until: "4\r" })).toBe("4\r");
    expect(await h.cmd("ATV1")).toBe(ok);
  });

  it("an over-long line is refused with ERROR and the next command still works", async () => {
    const h = await quiet({ modem: { maxLineLength: 64 } });
    expect(await h.cmd("AT+QSMTPSUB=0,\"" + "x".repeat(80) + '"')).toBe("\r\nERROR\r\n");
    expect(await h.cmd("AT")).toBe(ok);
  });

  it("ATI, AT+GMR, AT+IPR, chained commands", async () => {
    const h = await quiet();
    expect(await h.cmd("ATI")).toBe(info("Quectel", "EC800N", "Revision: EC800NCNLCR01A01M04"));
    expect(await h.cmd("AT+GMR")).toBe(info("EC800NCNLCR01A01M04"));
    expect(await h.cmd("AT+IPR?")).toBe(info("+IPR: 115200"));
    expect(await h.cmd("AT+CMEE=2;+CMEE?")).toBe(info("+CMEE: 2"));
  });

  it("AT+IPR switches the rate right after its OK", async () => {
    const h = await quiet();
    expect(await h.cmd("AT+IPR=921600")).toBe(ok);
    await h.run(10);
    await h.write("AT\r");
    await h.run(100);
    expect(h.take()).not.toBe(ok);
    h.sim.link.setHostBaud(921600);
    await h.write("\r"); // flush the garbage the module received at the old rate
    await h.run(100);
    h.take();
    expect(await h.cmd("AT")).toBe(ok);
  });
});

describe("start-up and power", () => {
  it("RDY after the boot delay, then the boot URC chain", async () => {
    const h = await makeHarness({}, false);
    h.sim.powerOn();
    await h.run(3299);
    expect(h.rx()).toBe("");
    await h.run(5000);
    expect(h.rx()).toBe("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n");
  });

  it("the SIM is busy for a while after RDY (+CME ERROR: 14), then ready", async () => {
    const h = await makeHarness({ modem: { cmee: 1, profile: undefined } }, false);
    h.sim.powerOn();
    await h.runUntil("RDY");
    // The held boot URC (+CFUN: 1) follows the result.
    expect(await h.cmd("AT+CPIN?")).toMatch(/^AT\+CPIN\?\r\r\n\+CME ERROR: 14\r\n/);
    await h.runUntil("+CPIN: READY");
    expect((await h.cmd("AT+CPIN?")).startsWith("AT+CPIN?\r" + info("+CPIN: READY"))).toBe(true);
  });

  it("AT+CFUN=1,1 reboots: OK, silence, RDY; session settings lost, files and QURCCFG kept", async () => {
    const h = await quiet({ modem: { urcPort: "usbat" } });
    await h.cmd('AT+QURCCFG="urcport","uart1"');
    await h.cmd('AT+QFUPL="UFS:keep.txt",3', { until: "CONNECT" });
    await h.write("abc");
    await h.runUntil("OK\r\n");
    await h.cmd('AT+QSSLCFG="sni",1,1');
    expect(await h.cmd("AT+CFUN=1,1", { until: "OK\r\n" })).toBe(ok);
    await h.run(500);
    expect(h.take()).toBe("");
    expect(await h.runUntil("RDY", 10_000)).toBe("\r\nRDY\r\n");
    await h.runUntil("+QIND: PB DONE");
    expect(await h.cmd("AT")).toBe("AT\r" + ok); // echo is on again
    expect(await h.cmd("AT+CMEE?")).toBe("AT+CMEE?\r" + info("+CMEE: 0"));
    expect(await h.cmd('AT+QSSLCFG="sni",1')).toBe('AT+QSSLCFG="sni",1\r' + info('+QSSLCFG: "sni",1,0'));
    expect(await h.cmd('AT+QFLST="*"')).toBe('AT+QFLST="*"\r' + info('+QFLST: "UFS:keep.txt",3'));
    expect(await h.cmd('AT+QURCCFG="urcport"')).toBe('AT+QURCCFG="urcport"\r' + info('+QURCCFG: "urcport","uart1"'));
  });

  it("AT+QPOWD: OK, later POWERED DOWN, then nothing", async () => {
    const h = await quiet();
    expect(await h.cmd("AT+QPOWD")).toBe(ok);
    expect(await h.runUntil("POWERED DOWN", 70_000)).toBe("\r\nPOWERED DOWN\r\n");
    await h.write("AT\r");
    await h.run(5000);
    expect(h.take()).toBe("");
  });

  it("garbage before RDY when configured", async () => {
    const h = await makeHarness({ modem: { bootGarbage: "\0\xff\0" } }, false);
    h.sim.powerOn();
    await h.runUntil("RDY");
    expect(h.rx().startsWith("\0\xff\0\r\nRDY\r\n")).toBe(true);
  });
});

describe("SIM, registration, PDP", () => {
  it("no SIM: +CME ERROR: 10, SMTP commands answer ERROR, no +CPIN: READY at boot", async () => {
    const h = await makeHarness({ modem: { sim: "absent", cmee: 1 } }, false);
    h.sim.powerOn();
    await h.run(20_000);
    expect(h.take()).toBe("\r\nRDY\r\n\r\n+CFUN: 1\r\n");
    await h.cmd("ATE0");
    expect(await h.cmd("AT+CPIN?")).toBe("\r\n+CME ERROR: 10\r\n");
    expect(await h.cmd('AT+QSMTPDST=1,1,"a@b.c"')).toBe("\r\nERROR\r\n");
    expect(await h.cmd("AT+CEREG?")).toBe(info("+CEREG: 0,0"));
  });

  it("registration denied: stat 3, +COPS: 0, AT+QIACT fails", async () => {
    const h = await quiet({ modem: { registration: [{ afterMs: 0, stat: 2 }, { afterMs: 10, stat: 3 }] } });
    expect(await h.cmd("AT+CEREG?")).toBe(info("+CEREG: 0,3"));
    expect(await h.cmd("AT+CGREG?")).toBe(info("+CGREG: 0,3"));
    expect(await h.cmd("AT+COPS?")).toBe(info("+COPS: 0"));
    expect(await h.cmd("AT+CGATT?")).toBe(info("+CGATT: 0"));
    expect(await h.cmd("AT+CSQ")).toBe(info("+CSQ: 99,99"));
    expect(await h.cmd("AT+QIACT=1")).toBe("\r\nERROR\r\n");
  });

  it("slow registration with URCs (n=1 and n=2), roaming counts as registered", async () => {
    const h = await makeHarness({ modem: { urcPort: "uart1", registration: [{ afterMs: 0, stat: 2 }, { afterMs: 60_000, stat: 5 }] } }, false);
    h.sim.powerOn();
    await h.runUntil("+QIND: PB DONE");
    await h.cmd("ATE0");
    await h.cmd("AT+CEREG=1");
    await h.cmd("AT+CREG=2");
    expect(await h.cmd("AT+CEREG?")).toBe(info("+CEREG: 1,2"));
    expect(await h.runUntil("+CEREG: 5", 70_000)).toBe('\r\n+CREG: 5,"D509","80D413D",7\r\n\r\n+CEREG: 5\r\n');
    expect(await h.cmd("AT+COPS?")).toBe(info('+COPS: 0,0,"CHN-UNICOM",7'));
    expect(await h.cmd("AT+QIACT=1")).toBe(ok);
  });

  it("PDP: QICSGP read, QIACT? bare OK when nothing active, activation fails N times", async () => {
    const h = await quiet({}, [{ kind: "pdpActivationFails", times: 2 }]);
    expect(await h.cmd("AT+QICSGP=1")).toBe(info('+QICSGP: 1,"","","",0'));
    await h.cmd('AT+QICSGP=1,1,"UNINET","","",1');
    expect(await h.cmd("AT+QICSGP=1")).toBe(info('+QICSGP: 1,"UNINET","","",1'));
    expect(await h.cmd("AT+QIACT?")).toBe(ok);
    expect(await h.cmd("AT+QIACT=1")).toBe("\r\nERROR\r\n");
    expect(await h.cmd("AT+QIACT=1")).toBe("\r\nERROR\r\n");
    const t = h.clock.now();
    expect(await h.cmd("AT+QIACT=1")).toBe(ok);
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(800);
    expect(await h.cmd("AT+QIACT?")).toBe(info('+QIACT: 1,1,1,"10.7.157.1"'));
    expect(await h.cmd("AT+QIDEACT=1")).toBe(ok);
    expect(await h.cmd("AT+QIACT?")).toBe(ok);
  });

  it("worst-case profile: AT+QIACT takes 150 s", async () => {
    const { makeProfile } = await import("../../host-sim/ec800/profile.js");
    const h = await quiet({ modem: { profile: makeProfile("worst") } });
    const t = h.clock.now();
    expect(await h.cmd("AT+QIACT=1")).toBe(ok);
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(150_000);
  });

  it("the network drops the context: +QIURC: \"pdpdeact\" (service URC)", async () => {
    const h = await quiet({}, [{ kind: "pdpDeact", atMs: 0 }]);
    await h.cmd("AT+QIACT=1");
    const { pdpDeact } = await import("../../host-sim/ec800/commands/pdp.js");
    pdpDeact(h.sim.modem, 1);
    expect(await h.runUntil("pdpdeact")).toBe('\r\n+QIURC: "pdpdeact",1\r\n');
    expect(await h.cmd("AT+QIACT?")).toBe(ok);
  });
});

describe("files", () => {
  it("XOR-16 checksum, odd length takes the last byte as the high byte", () => {
    expect(qfuplChecksum(Uint8Array.of(0x12, 0x34, 0x56, 0x78))).toBe(0x1234 ^ 0x5678);
    expect(qfuplChecksum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(0x1234 ^ 0x5600);
  });

  it("ack mode: one A per 1024 bytes; a host that waits gets the whole file", async () => {
    const h = await quiet();
    const data = Uint8Array.from({ length: 2500 }, (_, i) => (i * 7) & 0xff);
    expect(await h.cmd('AT+QFUPL="UFS:big.bin",2500,10,1', { until: "CONNECT\r\n" })).toBe("\r\nCONNECT\r\n");
    for (let off = 0; off < 2500; off += 1024) {
      await h.write(data.subarray(off, Math.min(off + 1024, 2500)));
      if (off + 1024 < 2500) expect(await h.runUntil("A", 1000)).toBe("A");
    }
    expect(await h.runUntil("OK\r\n")).toBe(info(`+QFUPL: 2500,${qfuplChecksum(data).toString(16)}`));
    expect(h.sim.modem.persistent.files.get("UFS:big.bin")).toEqual(data);
  });

  it("ack mode: a host that does not wait for A loses bytes and sees a short count", async () => {
    const h = await quiet();
    const data = Uint8Array.from({ length: 2048 }, (_, i) => i & 0xff);
    await h.cmd('AT+QFUPL="UFS:rush.bin",2048,2,1', { until: "CONNECT\r\n" });
    await h.write(data);
    const out = await h.runUntil("ERROR", 10_000);
    expect(out).toMatch(/^A\r\n\+QFUPL: (\d+),[0-9a-f]+\r\n\r\n\+CME ERROR: 421\r\n$/);
    expect(Number(/QFUPL: (\d+)/.exec(out)![1])).toBeLessThan(2048);
    expect(h.sim.modem.stats.qfuplDropped).toBeGreaterThan(0);
  });

  it("short upload: after the timeout the part is saved, +QFUPL then numeric +CME ERROR: 421 even with CMEE=2", async () => {
    const h = await quiet();
    await h.cmd("AT+CMEE=2");
    await h.cmd('AT+QFUPL="UFS:short.txt",100,5', { until: "CONNECT\r\n" });
    await h.write("0123456789");
    await h.run(4900);
    expect(h.take()).toBe("");
    expect(await h.runUntil("421\r\n")).toBe(`\r\n+QFUPL: 10,${qfuplChecksum(Buffer.from("0123456789")).toString(16)}\r\n\r\n+CME ERROR: 421\r\n`);
    expect(await h.cmd('AT+QFLST="UFS:short.txt"')).toBe(info('+QFLST: "UFS:short.txt",10'));
    expect(await h.cmd('AT+QFUPL="UFS:short.txt",5')).toBe("\r\n+CME ERROR: file already exist\r\n");
    await h.cmd("AT+CMEE=1");
    expect(await h.cmd('AT+QFUPL="short.txt",5')).toBe("\r\n+CME ERROR: 407\r\n");
    expect(await h.cmd('AT+QFDEL="UFS:short.txt"')).toBe(ok);
    expect(await h.cmd('AT+QFDEL="UFS:short.txt"')).toBe("\r\n+CME ERROR: 405\r\n");
    expect(await h.cmd('AT+QFLDS="UFS"')).toBe(info("+QFLDS: 286720,286720"));
  });
});

describe("SMTP send, data mode and faults", () => {
  it("+++ without the guard time before it is body data", async () => {
    const h = await quiet();
    await h.cmd("AT+QSMTPBODY=0,20,5", { until: "CONNECT" });
    await h.write("abc+++");
    await h.run(1500);
    expect(h.take()).toBe("");
    await h.write("def");
    expect(await h.runUntil("OK\r\n", 10_000)).toBe(info("+QSMTPBODY: 9"));
    expect(Buffer.from(h.sim.modem.session.mail.body!.bytes).toString()).toBe("abc+++def");
  });

  it("+++ followed by a byte within 1 s is data too", async () => {
    const h = await quiet();
    await h.cmd("AT+QSMTPBODY=0,20,5", { until: "CONNECT" });
    await h.write("ab");
    await h.run(1100);
    await h.write("+++");
    await h.run(500);
    await h.write("c");
    expect(await h.runUntil("OK\r\n", 10_000)).toBe(info("+QSMTPBODY: 6"));
    expect(Buffer.from(h.sim.modem.session.mail.body!.bytes).toString()).toBe("ab+++c");
  });

  it("a body containing OK, ERROR and bare LF is taken byte-exact", async () => {
    const h = await quiet();
    const body = "OK\r\nERROR\nline\n+CME ERROR: 3\r\n";
    await h.cmd(`AT+QSMTPBODY=0,${body.length},5`, { until: "CONNECT" });
    await h.write(body);
    expect(await h.runUntil("OK\r\n")).toBe(info(`+QSMTPBODY: ${body.length}`));
    expect(Buffer.from(h.sim.modem.session.mail.body!.bytes).toString()).toBe(body);
  });

  it("checks before sending: no recipient 659, PDP not active 654, attachment gone 661", async () => {
    const h = await quiet();
    await h.cmd("AT+QSMTPPUT=60");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 659,0\r\n");
    await h.cmd('AT+QSMTPDST=1,3,"bcc@example.com"');
    await h.cmd("AT+QSMTPPUT=60");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 654,0\r\n");
    await h.cmd("AT+QIACT=1");
    await h.cmd('AT+QFUPL="a.bin",1', { until: "CONNECT" });
    await h.write("x");
    await h.runUntil("OK\r\n");
    await h.cmd('AT+QSMTPATT=1,1,"UFS:a.bin"');
    await h.cmd('AT+QFDEL="a.bin"');
    await h.cmd("AT+QSMTPPUT=60");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 661,0\r\n");
    expect(h.smtp.mails.length).toBe(0);
    expect(await h.cmd('AT+QSMTPATT=1,2,"UFS:nothere"')).toBe("\r\n+CME ERROR: 661\r\n");
  });

  it("busy: 652 for AT+QSMTPPUT, body and edits while a send runs", async () => {
    const h = await quiet();
    await readyToSend(h);
    expect(await h.cmd("AT+QSMTPPUT=300")).toBe(ok);
    expect(await h.cmd("AT+QSMTPPUT=300")).toBe("\r\n+CME ERROR: 652\r\n");
    expect(await h.cmd("AT+QSMTPBODY=0,10,10")).toBe("\r\n+CME ERROR: 652\r\n");
    expect(await h.cmd("AT+QSMTPCLR")).toBe("\r\n+CME ERROR: 652\r\n");
    expect(await h.cmd("AT+QSMTPDST?")).toBe(info('+QSMTPDST: 1,"ops@example.com"'));
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 0,0\r\n");
    expect(await h.cmd("AT+QSMTPCLR")).toBe(ok);
  });

  it("an engine failure is reported, and the same mail can be resent with AT+QSMTPPUT directly", async () => {
    const h = await quiet();
    await readyToSend(h);
    h.smtp.outcomes = [{ err: 677, protocolError: 535, detail: "535 auth" }];
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 677,535\r\n");
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 0,0\r\n");
    expect(h.smtp.mails.length).toBe(2);
    expect(h.smtp.mails[1].mail.to).toEqual(["ops@example.com"]);
  });

  it("service URCs stay on USB until AT+QURCCFG=\"urcport\",\"uart1\"", async () => {
    const h = await quiet({ modem: { urcPort: "usbat" } });
    await readyToSend(h);
    await h.cmd("AT+QSMTPPUT=300");
    await h.run(60_000);
    expect(h.take()).toBe("");
    expect(h.sim.modem.sending).toBe(false);
    expect(await h.cmd('AT+QURCCFG="urcport","uart1"')).toBe(ok);
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 0,0\r\n");
  });

  it("fault: pdpdeact during the send -> +QIURC then +QSMTPPUT: 657,0, nothing delivered", async () => {
    const h = await quiet({}, [{ kind: "pdpDeactDuringSend", afterMs: 500 }]);
    await readyToSend(h);
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe('\r\n+QIURC: "pdpdeact",1\r\n\r\n+QSMTPPUT: 657,0\r\n');
    expect(h.smtp.mails.length).toBe(0);
    expect(await h.cmd("AT+QIACT?")).toBe(ok);
  });

  it("fault: reboot inside body data mode", async () => {
    const h = await quiet({}, [{ kind: "reboot", at: "bodyData", afterBytes: 5 }]);
    await h.cmd("AT+QSMTPBODY=0,50,30", { until: "CONNECT" });
    await h.write("0123456789");
    expect(await h.runUntil("+QIND: PB DONE", 20_000)).toBe(
      "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n",
    );
    expect(h.sim.modem.inDataMode).toBe(false);
    expect(await h.cmd("AT")).toBe("AT\r" + ok);
  });

  it("fault: reboot during the send wait -> RDY, no +QSMTPPUT ever", async () => {
    const h = await quiet({}, [{ kind: "reboot", at: "sendWait", afterMs: 200 }]);
    await readyToSend(h);
    await h.cmd("AT+QSMTPPUT=300");
    const out = await h.runUntil("+QIND: PB DONE", 30_000);
    expect(out.startsWith("\r\nRDY\r\n")).toBe(true);
    await h.run(300_000);
    expect(h.take()).not.toContain("+QSMTPPUT");
    expect(h.sim.modem.sends[0].abandoned).toMatch(/reset/);
  });

  it("fault: reboot when a named command arrives (before ATE0)", async () => {
    const h = await makeHarness({ modem: { faults: new (await import("../../host-sim/ec800/faults.js")).FaultPlan([{ kind: "reboot", at: "command", command: "E" }]) } });
    await h.write("ATE0\r");
    expect(await h.runUntil("RDY", 20_000)).toBe("ATE0\r\r\nRDY\r\n");
  });

  it("fault: a lost final result; the next command is answered normally", async () => {
    const h = await quiet({}, [{ kind: "loseFinal", command: "+CSQ" }]);
    expect(await h.cmd("AT+CSQ", { forMs: 5000 })).toBe("\r\n+CSQ: 25,99\r\n");
    expect(await h.cmd("AT")).toBe(ok);
    expect(await h.cmd("AT+CSQ")).toBe(info("+CSQ: 25,99"));
  });

  it("fault: a late final result arrives before the next command's answer", async () => {
    const h = await quiet({}, [{ kind: "lateFinal", command: "+QSMTPCFG", match: '"account"', delayMs: 6000 }]);
    expect(await h.cmd('AT+QSMTPCFG="account","u","secret-pw"', { forMs: 5000 })).toBe("");
    await h.write('AT+QSMTPCFG="account","u","secret-pw"\r');
    expect(await h.runUntil("OK\r\nOK", 5000)).toBe(ok + ok);
    expect(h.sim.transcript.render()).not.toContain("secret-pw");
  });

  it("fault: a duplicate URC", async () => {
    const h = await quiet({}, [{ kind: "duplicateUrc", urc: "+QSMTPPUT" }]);
    await readyToSend(h);
    await h.cmd("AT+QSMTPPUT=300");
    await h.runUntil("+QSMTPPUT");
    await h.run(1000);
    expect(h.rx().match(/\+QSMTPPUT: 0,0/g)?.length).toBe(2);
  });

  it("fault: a lost URC and a late URC", async () => {
    const lost = await quiet({}, [{ kind: "loseUrc", urc: "+QSMTPPUT" }]);
    await readyToSend(lost);
    await lost.cmd("AT+QSMTPPUT=300");
    await lost.run(400_000);
    expect(lost.take()).toBe("");
    const late = await quiet({}, [{ kind: "lateUrc", urc: "+QSMTPPUT", delayMs: 290_000 }]);
    await readyToSend(late);
    await late.cmd("AT+QSMTPPUT=300");
    const t = late.clock.now();
    await late.runUntil("+QSMTPPUT", 400_000);
    expect(late.clock.now() - t).toBeGreaterThanOrEqual(290_000);
  });

  it("fault: a URC interleaved inside a response, and one between echo and response", async () => {
    const h = await quiet({}, [
      { kind: "interleaveUrc", command: "+CSQ", text: "+CEREG: 1", where: "beforeFinal" },
      { kind: "interleaveUrc", command: "+QIACT", form: "read", text: '+QIURC: "pdpdeact",1', where: "afterEcho" },
    ]);
    expect(await h.cmd("AT+CSQ")).toBe("\r\n+CSQ: 25,99\r\n\r\n+CEREG: 1\r\n\r\nOK\r\n");
    expect(await h.cmd("AT+QIACT?")).toBe('\r\n+QIURC: "pdpdeact",1\r\n\r\nOK\r\n');
  });

  it("fault: an injected command error (652 busy once)", async () => {
    const h = await quiet({}, [{ kind: "commandError", command: "+QSMTPBODY", code: 652 }]);
    expect(await h.cmd("AT+QSMTPBODY=0,5,5")).toBe("\r\n+CME ERROR: 652\r\n");
    expect(await h.cmd("AT+QSMTPBODY=0,5,5", { until: "CONNECT" })).toBe("\r\nCONNECT\r\n");
  });

  it("URCs are held while a command runs and sent right after its result", async () => {
    const h = await quiet();
    await h.write("AT+QIACT=1\r");
    await h.run(100);
    h.sim.modem.urc("+CEREG: 1");
    expect(await h.runUntil("+CEREG")).toBe("\r\nOK\r\n\r\n+CEREG: 1\r\n");
  });

  it("the mail handed to the engine: hex subject decoded, Bcc on the envelope list, bodyoriginal", async () => {
    const h = await quiet();
    await readyToSend(h);
    await h.cmd('AT+QSMTPDST=1,2,"cc@example.com"');
    await h.cmd('AT+QSMTPDST=1,3,"bcc@example.com"');
    const subject = "报警 🔥";
    await h.cmd(`AT+QSMTPSUB=1,"${Buffer.from(subject).toString("hex").toUpperCase()}"`);
    await h.cmd('AT+QSMTPCFG="bodyoriginal",1');
    await h.cmd('AT+QSMTPCFG="account","user","pw"');
    await h.cmd("AT+QSMTPPUT=120");
    await h.runUntil("+QSMTPPUT");
    const { session, mail } = h.smtp.mails[0];
    expect(Buffer.from(mail.subject.bytes).toString("utf8")).toBe(subject);
    expect(mail.subject.charset).toBe(1);
    expect(mail.cc).toEqual(["cc@example.com"]);
    expect(mail.bcc).toEqual(["bcc@example.com"]);
    expect(session.bodyOriginal).toBe(true);
    expect(h.sim.modem.sends[0].session.account.password).toBe("***");
  });
});
