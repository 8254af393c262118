// The modelled radio round trip (docs/sockets.md): what the module's SMTP engine reports it
// used of the radio, the +QSMTPPUT result that many round trips later on the virtual clock,
// and the socket path's hold on the clock while a real server owes a reply.
import { afterAll, describe, expect, it } from "vitest";
import { startRawServer, type RawServer } from "../../host-sim/mailserver/index.js";
import { NodemailerSmtpEngine } from "../../host-sim/smtp/engine.js";
import { radioTrips, RADIO_TRIPS } from "../../host-sim/ec800/sockets/radio.js";
import { makeProfile } from "../../host-sim/ec800/profile.js";
import { enc, mail, session } from "../smtp/helpers.js";
import { makeHarness } from "./harness.js";
import { AtSocket, PASSWORD, SERVER_NAME, serverPool, socketModule, USER, Wire } from "./socket-wire.js";

const NAME = "smtp.radio.test";
const server = serverPool();
const raws: RawServer[] = [];
afterAll(async () => {
  await Promise.all(raws.map((s) => s.close()));
});

const engine = new NodemailerSmtpEngine({ hosts: { [NAME]: "127.0.0.1" } });
const twoRcpts = mail({ to: ["a@example.test", "b@example.test"], subject: { charset: 0, bytes: enc("radio") } });

describe("what the module's SMTP engine reports it used of the radio", () => {
  const cases = [
    { tls: "none", sslType: 0, radio: { dns: true, connect: true, tls: false, replies: 8 } },
    { tls: "implicit", sslType: 1, radio: { dns: true, connect: true, tls: true, replies: 8 } },
    // STARTTLS: its 220 and the second EHLO are two replies more, and a handshake.
    { tls: "starttls", sslType: 2, radio: { dns: true, connect: true, tls: true, replies: 10 } },
  ] as const;
  for (const c of cases) {
    it(`ssltype ${c.sslType}: greeting, EHLO, AUTH, MAIL, 2 x RCPT, DATA, end of message (QUIT's 221 not counted)`, async () => {
      const srv = await server(c.tls);
      const o = await engine.deliver({ ...session(srv.port, { sslType: c.sslType, account: { user: USER, password: PASSWORD } }), server: { host: NAME, port: srv.port } }, twoRcpts, 20_000);
      expect(o.err).toBe(0);
      expect(o.radio).toEqual(c.radio);
    });
  }

  it("an IP literal needs no DNS; a refused AUTH stops the count at its reply; a name that does not resolve costs only the DNS query", async () => {
    const srv = await server("none");
    const literal = await engine.deliver(session(srv.port, { sslType: 0, account: { user: USER, password: PASSWORD } }), twoRcpts, 20_000);
    expect(literal.radio).toEqual({ dns: false, connect: true, tls: false, replies: 8 });
    const refused = await engine.deliver(session(srv.port, { sslType: 0, account: { user: USER, password: "wrong" } }), twoRcpts, 20_000);
    expect(refused.protocolError).toBe(535);
    expect(refused.radio).toEqual({ dns: false, connect: true, tls: false, replies: 3 });
    const nowhere = await engine.deliver({ ...session(srv.port, { sslType: 0 }), server: { host: "smtp.nowhere.invalid", port: 25 } }, twoRcpts, 20_000);
    expect(nowhere.err).toBe(653);
    expect(nowhere.radio).toEqual({ dns: true, connect: false, tls: false, replies: 0 });
  });

  it("prices them with one table", () => {
    expect(radioTrips({ dns: true, connect: true, tls: true, replies: 7 })).toBe(RADIO_TRIPS.dns + RADIO_TRIPS.connect + RADIO_TRIPS.tlsHandshake + 7 * RADIO_TRIPS.reply);
    expect(radioTrips({ dns: true, connect: true, tls: true, replies: 7 })).toBe(11);
  });
});

describe("+QSMTPPUT on the virtual clock", () => {
  /** Configure the module's SMTP engine by AT commands, send, return virtual ms from the put's OK to +QSMTPPUT. */
  async function putMs(rttMs: number): Promise<{ ms: number; urc: string }> {
    const srv = await server("implicit");
    const h = await makeHarness({ smtp: engine, modem: { urcPort: "uart1", profile: makeProfile("typical", { radioRttMs: rttMs }) } });
    const w = new Wire(h);
    w.pos = h.rx().length;
    await w.cmd("ATE0");
    await w.cmd('AT+QICSGP=1,1,"internet","","",1');
    await w.cmd("AT+QIACT=1");
    for (const c of [
      `AT+QSMTPCFG="smtpserver","${NAME}",${srv.port}`,
      `AT+QSMTPCFG="account","${USER}","${PASSWORD}"`,
      `AT+QSMTPCFG="sender","Board","${USER}"`,
      'AT+QSMTPCFG="ssltype",1',
      'AT+QSMTPCFG="sslctxid",1',
      'AT+QSSLCFG="seclevel",1,0',
      'AT+QSMTPDST=1,1,"ops@example.com"',
      'AT+QSMTPSUB=0,"Radio"',
    ]) expect(await w.cmd(c)).toBe("\r\nOK\r\n");
    await w.h.write("AT+QSMTPBODY=0,5,10\r");
    await w.expect(/\r\nCONNECT\r\n/);
    await w.h.write("hello");
    await w.expect(/\r\n\+QSMTPBODY: 5\r\n\r\nOK\r\n/);
    await w.h.write("AT+QSMTPPUT=300\r");
    await w.expect(/\r\nOK\r\n/);
    const okAt = h.clock.now();
    const m = await w.expect(/\r\n(\+QSMTPPUT: \d+,\d+)\r\n/);
    return { ms: h.clock.now() - okAt, urc: m[1] };
  }

  it("comes smtpSendMs plus one round trip per exchange after the send: 1500 + 11 x 150 ms", async () => {
    const withRadio = await putMs(150);
    expect(withRadio.urc).toBe("+QSMTPPUT: 0,0");
    // DNS 1 + connect 1 + TLS 2 + 7 replies (greeting, EHLO, AUTH, MAIL, RCPT, DATA, end of message).
    expect(withRadio.ms).toBeGreaterThanOrEqual(1500 + 11 * 150);
    expect(withRadio.ms).toBeLessThan(1500 + 11 * 150 + 30);
    const without = await putMs(0);
    expect(without.ms).toBeGreaterThanOrEqual(1500);
    expect(without.ms).toBeLessThan(1530);
  });
});

describe("a socket whose server owes a reply", () => {
  it("holds the clock while the reply is owed; a silent server releases it after socketRealWaitMs of real time", async () => {
    const raw = await startRawServer("greet-then-silent");
    raws.push(raw);
    const w = await socketModule({ qisde: 0, modem: { socketRealWaitMs: 300, network: { routes: { [SERVER_NAME]: { host: "127.0.0.1", port: raw.port } } } } });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    expect((await s.reply()).slice(0, 3)).toBe("220");
    const before = w.h.clock.now();
    // The clock stays where the bytes left until the cap: even SEND OK waits for it.
    expect(await s.send("EHLO ec800\r\n")).toBe("SEND OK");
    expect(w.h.sim.transcript.render()).toContain("the server owes 1 reply after 300 ms of real time; the clock goes on");
    expect(w.h.clock.holds()).toBe(0);
    expect(w.h.clock.now() - before).toBeLessThan(50);
    await w.h.run(10_000);
    expect(w.count('+QIURC: "recv",0')).toBe(1);
    expect(await w.cmd("AT+QICLOSE=0")).toMatch(/\r\nOK\r\n$/);
  });
});
