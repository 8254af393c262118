import { describe, expect, it } from "vitest";
import { PASSWORD, rig } from "./support/fixtures.js";

describe("mail job: happy path", () => {
  it("first mail after boot: bring-up, PDP, SSL, SMTP config, content, put, result, clean-up", () => {
    const r = rig();
    r.send();
    r.settle(1);
    expect(r.results).toHaveLength(1);
    const res = r.results[0];
    expect(res.delivered).toBe(true);
    expect(res.error).toBeNull();
    expect(res.attempts).toBe(1);
    expect(r.port.commands).toEqual([
      "",
      "E1",
      "+CMEE=1",
      '+QURCCFG="urcport","uart1"',
      "+CPIN?",
      "+CSQ",
      "+CEREG?",
      "+CCLK?",
      '+QICSGP=1,1,"internet","","",0',
      "+QIACT?",
      "+QIACT=1",
      "+QIACT?",
      '+QSSLCFG="sslversion",1,4',
      '+QSSLCFG="ciphersuite",1,0xFFFF',
      '+QSSLCFG="seclevel",1,0',
      '+QSSLCFG="sni",1,1',
      '+QSMTPCFG="contextid",1',
      '+QSMTPCFG="ssltype",1',
      '+QSMTPCFG="sslctxid",1',
      '+QSMTPCFG="smtpserver","smtp.example.com",465',
      `+QSMTPCFG="account","alarm@example.com","${PASSWORD}"`,
      '+QSMTPCFG="sender","Pump station 7","alarm@example.com"',
      "+QSMTPCLR",
      '+QSMTPDST=1,1,"ops@example.com"',
      '+QSMTPSUB=0,"Alarm: pressure low"',
      "+QSMTPBODY=0,26,60",
      "+QSMTPPUT=300",
      "+QSMTPCLR",
    ]);
    expect(res.commands).toBe(r.port.commands.length);
    expect(new TextDecoder().decode(r.port.payloads[0].data)).toBe("Pressure 0.4 bar at 12:00.");
    expect(res.sendWaitMs).toBeGreaterThanOrEqual(3000);
    expect(res.finishedAt).toBeGreaterThan(res.startedAt);
    expect(r.mailer.status().rssi).toBe(23);
    expect(r.mailer.status().reg).toBe(1);
  });

  it("the next mail needs at most 6 commands and does not repeat the server configuration", () => {
    const r = rig();
    r.send({ id: "a" });
    r.settle(1);
    const before = r.port.commands.length;
    r.send({ id: "b" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    const next = r.port.commands.slice(before);
    expect(next.length).toBeLessThanOrEqual(6);
    expect(next.filter((c) => c.startsWith("+QSMTPCFG"))).toEqual([]);
    expect(next).toEqual(['+QSMTPDST=1,1,"ops@example.com"', '+QSMTPSUB=0,"Alarm: pressure low"', "+QSMTPBODY=0,26,60", "+QSMTPPUT=300", "+QSMTPCLR"]);
    expect(r.results[1].commands).toBe(5);
  });

  it("never logs the password", () => {
    const r = rig();
    r.send();
    r.settle(1);
    expect(r.logs.length).toBeGreaterThan(0);
    expect(r.logs.join("\n")).not.toContain(PASSWORD);
  });
});
