// The seed's own examples (Quectel EC200x/EC800x SMTP Application Note, sections
// 2.3.1-2.3.7 and 3.1-3.3), driven by raw AT bytes, asserting the exact responses.
// Echo is switched off first (ATE0) so each exchange reads as in the note; the wire
// framing is <CR><LF>line<CR><LF> ... <CR><LF>OK<CR><LF> (section 2.1.2).
import { describe, expect, it } from "vitest";
import { makeHarness, type Harness } from "./harness.js";

/** The wire form of information lines followed by a final result. */
function wire(lines: string[], final = "OK"): string {
  return (lines.length ? "\r\n" + lines.join("\r\n") + "\r\n" : "") + `\r\n${final}\r\n`;
}

/** 2n bytes whose XOR-16 checksum is 0x0707: (n-2) words "Hi" (even count), then "ab" ^ "fe". */
function data707(len: number): string {
  return "Hi".repeat(len / 2 - 2) + "abfe";
}

async function ready(): Promise<Harness> {
  const h = await makeHarness({ modem: { urcPort: "uart1" } });
  expect(await h.cmd("ATE0")).toBe("ATE0\r" + wire([]));
  return h;
}

async function exchange(h: Harness, cmd: string, lines: string[], final = "OK"): Promise<void> {
  expect(await h.cmd(cmd), cmd).toBe(wire(lines, final));
}

async function activate(h: Harness): Promise<void> {
  await exchange(h, 'AT+QICSGP=1,1,"UNINET","", "",1', []);
  await exchange(h, "AT+QIACT=1", []);
}

describe("seed 2.3.1 AT+QSMTPCFG", () => {
  it("test form lists every item including bodyoriginal", async () => {
    const h = await ready();
    await exchange(h, "AT+QSMTPCFG=?", [
      '+QSMTPCFG: "account",<username>,<password>',
      '+QSMTPCFG: "sender",<sender_name>,<sender_email>',
      '+QSMTPCFG: "smtpserver",<srvaddr>,<srvport>',
      '+QSMTPCFG: "contextid",(1-16)',
      '+QSMTPCFG: "sslctxid",(0-5)',
      '+QSMTPCFG: "ssltype",(0-2)',
      '+QSMTPCFG: "bodyoriginal",(0,1)',
    ]);
  });

  it("write forms set, the forms without optional parameters query", async () => {
    const h = await ready();
    await exchange(h, 'AT+QSMTPCFG="smtpserver"', ['+QSMTPCFG: "smtpserver","",25']);
    await exchange(h, 'AT+QSMTPCFG="contextid"', ['+QSMTPCFG: "contextid",1']);
    await exchange(h, 'AT+QSMTPCFG="sslctxid"', ['+QSMTPCFG: "sslctxid",1']);
    await exchange(h, 'AT+QSMTPCFG="ssltype"', ['+QSMTPCFG: "ssltype",0']);
    await exchange(h, 'AT+QSMTPCFG="bodyoriginal"', ['+QSMTPCFG: "bodyoriginal",0']);
    await exchange(h, 'AT+QSMTPCFG="account","sishen664551","wq664551"', []);
    await exchange(h, 'AT+QSMTPCFG="account"', ['+QSMTPCFG: "account","sishen664551","wq664551"']);
    await exchange(h, 'AT+QSMTPCFG="sender","sishen664551","sishen664551@163.com"', []);
    await exchange(h, 'AT+QSMTPCFG="sender"', ['+QSMTPCFG: "sender","sishen664551","sishen664551@163.com"']);
    await exchange(h, 'AT+QSMTPCFG="smtpserver","smtp.163.com",25', []);
    await exchange(h, 'AT+QSMTPCFG="smtpserver"', ['+QSMTPCFG: "smtpserver","smtp.163.com",25']);
    await exchange(h, 'AT+QSMTPCFG="contextid",16', []);
    await exchange(h, 'AT+QSMTPCFG="sslctxid",0', []);
    await exchange(h, 'AT+QSMTPCFG="ssltype",2', []);
    await exchange(h, 'AT+QSMTPCFG="bodyoriginal",1', []);
    await exchange(h, 'AT+QSMTPCFG="bodyoriginal"', ['+QSMTPCFG: "bodyoriginal",1']);
  });

  it("rejects out-of-range values and over-long strings with +CME ERROR: 664", async () => {
    const h = await ready();
    await exchange(h, "AT+CMEE=1", []);
    await exchange(h, 'AT+QSMTPCFG="contextid",17', [], "+CME ERROR: 664");
    await exchange(h, 'AT+QSMTPCFG="sslctxid",6', [], "+CME ERROR: 664");
    await exchange(h, 'AT+QSMTPCFG="ssltype",3', [], "+CME ERROR: 664");
    await exchange(h, `AT+QSMTPCFG="account","${"u".repeat(51)}","p"`, [], "+CME ERROR: 664");
    await exchange(h, `AT+QSMTPCFG="account","${"u".repeat(50)}","p"`, []);
    await exchange(h, 'AT+QSMTPCFG="nonsense",1', [], "+CME ERROR: 664");
  });
});

describe("seed 2.3.2 AT+QSMTPDST", () => {
  it("adds TO and CC recipients, lists them, deletes all", async () => {
    const h = await ready();
    await exchange(h, "AT+QSMTPDST=?", ["+QSMTPDST: (0,1),(1-3),<emailaddr>"]);
    await exchange(h, 'AT+QSMTPDST=1,1,"quectel_test@aol.com"', []);
    await exchange(h, 'AT+QSMTPDST=1,2,"quectel_test@21cn.com"', []);
    await exchange(h, "AT+QSMTPDST?", ['+QSMTPDST: 1,"quectel_test@aol.com"', '+QSMTPDST: 2,"quectel_test@21cn.com"']);
    await exchange(h, "AT+QSMTPDST=0", []);
    await exchange(h, "AT+QSMTPDST?", []);
  });

  it("holds at most 20 recipients", async () => {
    const h = await ready();
    await exchange(h, "AT+CMEE=1", []);
    for (let i = 0; i < 20; i++) await exchange(h, `AT+QSMTPDST=1,${(i % 3) + 1},"r${i}@example.com"`, []);
    await exchange(h, 'AT+QSMTPDST=1,1,"r20@example.com"', [], "+CME ERROR: 664");
  });
});

describe("seed 2.3.3 AT+QSMTPSUB", () => {
  it("ASCII and UTF-8 hex subjects", async () => {
    const h = await ready();
    await exchange(h, "AT+QSMTPSUB=?", ["+QSMTPSUB: (0-3),<subject>"]);
    await exchange(h, 'AT+QSMTPSUB=0,"TEST SMTP"', []);
    await exchange(h, "AT+QSMTPSUB?", ['+QSMTPSUB: 0,"TEST SMTP"']);
    await exchange(h, 'AT+QSMTPSUB=1,"7465737420534D5450"', []);
    await exchange(h, "AT+QSMTPSUB?", ['+QSMTPSUB: 1,"7465737420534D5450"']);
  });

  it("enforces the length limits (100 ASCII, 200 even hex) and hex digits", async () => {
    const h = await ready();
    await exchange(h, "AT+CMEE=1", []);
    await exchange(h, `AT+QSMTPSUB=0,"${"a".repeat(100)}"`, []);
    await exchange(h, `AT+QSMTPSUB=0,"${"a".repeat(101)}"`, [], "+CME ERROR: 664");
    await exchange(h, `AT+QSMTPSUB=1,"${"41".repeat(100)}"`, []);
    await exchange(h, `AT+QSMTPSUB=1,"${"41".repeat(101)}"`, [], "+CME ERROR: 664");
    await exchange(h, 'AT+QSMTPSUB=1,"414"', [], "+CME ERROR: 664");
    await exchange(h, 'AT+QSMTPSUB=2,"4G"', [], "+CME ERROR: 664");
    await exchange(h, 'AT+QSMTPSUB=4,"41"', [], "+CME ERROR: 664");
  });
});

describe("seed 2.3.4 AT+QSMTPBODY", () => {
  it("test and read forms", async () => {
    const h = await ready();
    await exchange(h, "AT+QSMTPBODY=?", ["+QSMTPBODY: (0-3),(1-10240),(1-65535)"]);
    await exchange(h, "AT+QSMTPBODY?", []);
  });

  it("exact length: CONNECT, 100 bytes, +QSMTPBODY: 100, OK", async () => {
    const h = await ready();
    expect(await h.cmd("AT+QSMTPBODY=0,100,120", { until: "CONNECT\r\n" })).toBe("\r\nCONNECT\r\n");
    await h.write("x".repeat(100));
    expect(await h.runUntil("OK\r\n")).toBe(wire(["+QSMTPBODY: 100"]));
    expect(h.sim.modem.session.mail.body?.bytes.length).toBe(100);
  });

  it("90 bytes then +++ with 1 s guard times ends the body at 90", async () => {
    const h = await ready();
    await h.cmd("AT+QSMTPBODY=0,100,120", { until: "CONNECT\r\n" });
    await h.write("y".repeat(90));
    await h.run(1000);
    await h.write("+++");
    const t = h.clock.now();
    expect(await h.runUntil("OK\r\n", 5000)).toBe(wire(["+QSMTPBODY: 90"]));
    // The escape is recognised only after the trailing second of silence.
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(1000);
    expect(h.clock.now() - t).toBeLessThan(1200);
  });

  it("90 bytes then 120 s of silence: the input time ends the body", async () => {
    const h = await ready();
    await h.cmd("AT+QSMTPBODY=0,100,120", { until: "CONNECT\r\n" });
    const t0 = h.clock.now();
    await h.write("z".repeat(90));
    await h.run(119_000);
    expect(h.take()).toBe("");
    expect(await h.runUntil("OK\r\n", 2000)).toBe(wire(["+QSMTPBODY: 90"]));
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(120_000);
  });

  it("rejects a length of 0 or over 10240", async () => {
    const h = await ready();
    await exchange(h, "AT+CMEE=1", []);
    await exchange(h, "AT+QSMTPBODY=0,0,10", [], "+CME ERROR: 664");
    await exchange(h, "AT+QSMTPBODY=0,10241,10", [], "+CME ERROR: 664");
    expect(await h.cmd("AT+QSMTPBODY=0,10240,10", { until: "CONNECT\r\n" })).toBe("\r\nCONNECT\r\n");
  });
});

describe("seed 2.3.5 AT+QSMTPATT", () => {
  it("uploads a file, attaches, lists, deletes all", async () => {
    const h = await ready();
    await exchange(h, "AT+QSMTPATT=?", ["+QSMTPATT: (0,1),(1-10),<file_name>"]);
    expect(await h.cmd('AT+QFUPL="UFS:test.txt",200,300,1', { until: "CONNECT\r\n" })).toBe("\r\nCONNECT\r\n");
    await h.write(data707(200));
    expect(await h.runUntil("OK\r\n")).toBe(wire(["+QFUPL: 200,707"]));
    await exchange(h, 'AT+QFLST=""', ['+QFLST: "UFS:test.txt",200']);
    await exchange(h, 'AT+QSMTPATT=1,1,"UFS:test.txt"', []);
    await exchange(h, "AT+QSMTPATT?", ['+QSMTPATT: 1,"UFS:test.txt",200']);
    await exchange(h, "AT+QSMTPATT=0", []);
    await exchange(h, "AT+QSMTPATT?", []);
  });
});

describe("seed 2.3.6 AT+QSMTPCLR", () => {
  it("clears recipients, subject, body and attachments (files stay)", async () => {
    const h = await ready();
    await exchange(h, "AT+QSMTPCLR=?", []);
    await exchange(h, 'AT+QSMTPDST=1,1,"a@example.com"', []);
    await exchange(h, 'AT+QSMTPSUB=0,"S"', []);
    await h.cmd('AT+QFUPL="UFS:f.txt",4', { until: "CONNECT\r\n" });
    await h.write("abcd");
    await h.runUntil("OK\r\n");
    await exchange(h, 'AT+QSMTPATT=1,1,"UFS:f.txt"', []);
    await exchange(h, "AT+QSMTPCLR", []);
    await exchange(h, "AT+QSMTPDST?", []);
    // The note prints "+CSMTPSUB: 0,""" here, a typo for the command's own prefix.
    await exchange(h, "AT+QSMTPSUB?", ['+QSMTPSUB: 0,""']);
    await exchange(h, "AT+QSMTPATT?", []);
    await exchange(h, 'AT+QFLST="*"', ['+QFLST: "UFS:f.txt",4']);
  });
});

describe("seed 2.3.7 AT+QSMTPPUT", () => {
  it("OK at once, +QSMTPPUT: 0,0 later", async () => {
    const h = await ready();
    await activate(h);
    await exchange(h, "AT+QSMTPPUT=?", ["+QSMTPPUT: (60-65535)"]);
    await exchange(h, 'AT+QSMTPCFG="smtpserver","smtp.163.com",25', []);
    await exchange(h, 'AT+QSMTPDST=1,1,"quectel_test@163.com"', []);
    await exchange(h, "AT+QSMTPPUT=300", []);
    expect(await h.runUntil("+QSMTPPUT:")).toBe("\r\n+QSMTPPUT: 0,0\r\n");
    expect(h.smtp.mails[0].timeoutMs).toBe(300_000);
  });

  it("timeout range 60-65535", async () => {
    const h = await ready();
    await exchange(h, "AT+CMEE=1", []);
    await exchange(h, "AT+QSMTPPUT=59", [], "+CME ERROR: 664");
    await exchange(h, "AT+QSMTPPUT=65536", [], "+CME ERROR: 664");
  });
});

describe("seed 3.1 send an email without SSL", () => {
  it("runs the whole example with the responses the note shows", async () => {
    const h = await ready();
    await exchange(h, 'AT+QICSGP=1,1,"UNINET","", "",1', []);
    await exchange(h, "AT+QIACT=1", []);
    await exchange(h, "AT+QIACT?", ['+QIACT: 1,1,1,"10.7.157.1"']);
    await exchange(h, 'AT+QSMTPCFG="contextid",1', []);
    await exchange(h, 'AT+QSMTPCFG="ssltype",0', []);
    await exchange(h, 'AT+QSMTPCFG="smtpserver","smtp.163.com",25', []);
    await exchange(h, 'AT+QSMTPCFG="account","sishen664551","wq664551"', []);
    await exchange(h, 'AT+QSMTPCFG="sender","sishen664551","sishen664551@163.com"', []);
    await exchange(h, 'AT+QSMTPDST=1,1,"quectel_test@163.com"', []);
    await exchange(h, 'AT+QSMTPDST=1,2,"quectel_test@21cn.com"', []);
    await exchange(h, "AT+QSMTPDST?", ['+QSMTPDST: 1,"quectel_test@163.com"', '+QSMTPDST: 2,"quectel_test@21cn.com"']);
    await exchange(h, 'AT+QSMTPSUB=0,"TEST SMTP"', []);
    await exchange(h, "AT+QSMTPSUB?", ['+QSMTPSUB: 0,"TEST SMTP"']);
    expect(await h.cmd("AT+QSMTPBODY=0,100,120", { until: "CONNECT\r\n" })).toBe("\r\nCONNECT\r\n");
    const body = "B".repeat(100);
    await h.write(body);
    expect(await h.runUntil("OK\r\n")).toBe(wire(["+QSMTPBODY: 100"]));
    expect(await h.cmd('AT+QFUPL="UFS:smtp1.txt",100,200,1', { until: "CONNECT\r\n" })).toBe("\r\nCONNECT\r\n");
    const file = data707(100);
    await h.write(file);
    expect(await h.runUntil("OK\r\n")).toBe(wire(["+QFUPL: 100,707"]));
    await exchange(h, 'AT+QFLST=""', ['+QFLST: "UFS:smtp1.txt",100']);
    await exchange(h, 'AT+QSMTPATT=1,1,"UFS:smtp1.txt"', []);
    await exchange(h, "AT+QSMTPATT?", ['+QSMTPATT: 1,"UFS:smtp1.txt",100']);
    await exchange(h, "AT+QSMTPPUT=300", []);
    expect(await h.runUntil("+QSMTPPUT:")).toBe("\r\n+QSMTPPUT: 0,0\r\n");
    await exchange(h, "AT+QSMTPCLR", []);
    // The note deletes "UFS:smtp.txt" (a typo for the file it uploaded, smtp1.txt).
    await exchange(h, 'AT+QFDEL="UFS:smtp1.txt"', []);
    await exchange(h, "AT+QIDEACT=1", []);

    const sent = h.smtp.mails[0];
    expect(sent.session.server).toEqual({ host: "smtp.163.com", port: 25 });
    expect(sent.session.sslType).toBe(0);
    expect(sent.session.account).toEqual({ user: "sishen664551", password: "wq664551" });
    expect(sent.session.sender).toEqual({ name: "sishen664551", email: "sishen664551@163.com" });
    expect(sent.mail.to).toEqual(["quectel_test@163.com"]);
    expect(sent.mail.cc).toEqual(["quectel_test@21cn.com"]);
    expect(Buffer.from(sent.mail.subject.bytes).toString()).toBe("TEST SMTP");
    expect(Buffer.from(sent.mail.body.bytes).toString()).toBe(body);
    expect(sent.mail.attachments.map((a) => [a.name, Buffer.from(a.bytes).toString()])).toEqual([["smtp1.txt", file]]);
    // The transcript never shows the password.
    expect(h.sim.transcript.render()).not.toContain("wq664551");
    expect(h.sim.transcript.render()).toContain('"account","sishen664551","***"');
  });
});

for (const [section, ssltype] of [
  ["3.2 with SSL", 1],
  ["3.3 with STARTTLS", 2],
] as const) {
  describe(`seed ${section}`, () => {
    it("configures SSL type, context, cipher suites, security level and version", async () => {
      const h = await ready();
      await exchange(h, `AT+QSMTPCFG="ssltype",${ssltype}`, []);
      await exchange(h, 'AT+QSMTPCFG="sslctxid",1', []);
      await exchange(h, 'AT+QSSLCFG="ciphersuite",1,0xffff', []);
      await exchange(h, 'AT+QSSLCFG="seclvl",1,0', []);
      await exchange(h, 'AT+QSSLCFG="sslversion",1,1', []);
      await exchange(h, 'AT+QSMTPCFG="smtpserver","smtp.163.com",25', []);
      await exchange(h, 'AT+QSMTPCFG="account","sishen664551","wq664551"', []);
      await exchange(h, 'AT+QSMTPCFG="sender","sishen664551","sishen664551@163.com"', []);
      await exchange(h, 'AT+QSSLCFG="ciphersuite",1', ['+QSSLCFG: "ciphersuite",1,0XFFFF']);
      await exchange(h, 'AT+QSSLCFG="sslversion",1', ['+QSSLCFG: "sslversion",1,1']);
      await exchange(h, 'AT+QSSLCFG="seclevel",1', ['+QSSLCFG: "seclevel",1,0']);
      await activate(h);
      await exchange(h, 'AT+QSMTPDST=1,1,"quectel_test@163.com"', []);
      await exchange(h, "AT+QSMTPPUT=300", []);
      await h.runUntil("+QSMTPPUT:");
      const s = h.smtp.mails[0].session;
      expect(s.sslType).toBe(ssltype);
      expect(s.secLevel).toBe(0);
      expect(s.sni).toBe(false);
    });
  });
}
