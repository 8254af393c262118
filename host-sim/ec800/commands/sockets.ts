// The module's socket commands in buffer access mode, for both families (sockets/family.ts):
//   AT+QIOPEN=<cid>,<id>,"TCP","<host>",<port>[,<local_port>[,0]]   OK, then +QIOPEN: <id>,<err>
//   AT+QSSLOPEN=<cid>,<sslctx>,<id>,"<host>",<port>[,0]              OK, then +QSSLOPEN: <id>,<err>
//   AT+QISEND=<id>,<n> / AT+QSSLSEND=<id>,<n>   "> ", exactly n bytes, SEND OK | SEND FAIL | ERROR
//   AT+QISEND=<id> / AT+QSSLSEND=<id>           "> ", bytes (echoed), Ctrl+Z: SEND OK | SEND FAIL; ESC: OK
//   AT+QIRD=<id>[,<n>] / AT+QSSLRECV=<id>,<n>   +QIRD: <got> CRLF <data> CRLF, OK  (n 0: the totals)
//   AT+QICLOSE=<id>[,<t>] / AT+QSSLCLOSE=<id>[,<t>]   OK
//   AT+QISEND=<id>,0                            +QISEND: <sent>,<acked>,<unacked>
//   AT+QISDE=<0|1>                              echo of AT+QISEND data (default 1)
//   AT+QIGETERROR                               +QIGETERROR: <err>,<text> of the last socket error
// Sources and every choice the notes leave open: docs/sockets.md. Direct push and
// transparent access modes, UDP and listeners are not modelled (ERROR).
import type { CommandSpec, Ctx, DataMode } from "../command.js";
import { intArg, strArg } from "../parse.js";
import { MAX_CID } from "./pdp.js";
import { canonicalFile, newSslContext } from "../state.js";
import { SOCKET_ERR, socketErrText } from "../sockets/codes.js";
import { MAX_READ, MAX_SEND, MAX_SOCKET_ID, SEND_FAIL, SEND_OK, SEND_PROMPT, SSL, TCP, type SocketFamily } from "../sockets/family.js";
import type { ConnectionFaults, SslSettings } from "../sockets/connection.js";

/** AT+QISEND input time (the EC200U note's "qisend/timeout" default): bytes missing after it -> ERROR. */
const SEND_INPUT_MS = 5000;
const CTRL_Z = 0x1a;
const ESC = 0x1b;
const MAX_HOST = 150;

/** ERROR, remembering the <err> for AT+QIGETERROR. */
function fail(ctx: Ctx, err: number): void {
  ctx.m.sockets.lastError = err;
  ctx.error();
}

/** The faults that strike the socket opening now (counted per open, TCP and SSL together). */
function openFaults(ctx: Ctx): ConnectionFaults {
  const out: ConnectionFaults = { slowMs: 0 };
  for (const f of ctx.m.faults.atEvent("socketOpen")) {
    if (f.kind === "socketOpenFails") out.openErr = f.err ?? SOCKET_ERR.CONNECT;
    else if (f.kind === "dnsFails") out.openErr = SOCKET_ERR.DNS;
    else if (f.kind === "peerClose") out.peerCloseAfter = f.afterDataBytes;
    else if (f.kind === "slowServer") out.slowMs += f.delayMs;
  }
  return out;
}

/** The SSL context as AT+QSSLCFG left it, with its CA file read from UFS (as the SMTP engine does). */
function sslSettings(ctx: Ctx, sslctx: number): SslSettings {
  const c = ctx.s.ssl.get(sslctx) ?? newSslContext();
  let caPem: string | undefined;
  if (c.seclevel >= 1 && c.cacert) {
    const name = canonicalFile(c.cacert);
    const data = name ? ctx.p.files.get(name) : undefined;
    if (data) caPem = Buffer.from(data).toString("utf8");
  }
  return { id: sslctx, ctx: c, caPem };
}

/** Common part of both opens once the arguments are read. */
function open(ctx: Ctx, family: SocketFamily, cid: number, id: number, host: string, port: number, ssl?: SslSettings): void {
  const m = ctx.m;
  // Registered before the OK: the response may be written at once.
  m.onResponseSent(() => {
    const urc = (err: number) => m.later(m.profile.urcGapMs, () => m.urc(`${family.open}: ${id},${err}`, true));
    if (m.sockets.get(id)) {
      m.sockets.lastError = SOCKET_ERR.ID_IN_USE;
      return urc(SOCKET_ERR.ID_IN_USE);
    }
    if (!m.session.active.has(cid)) {
      m.sockets.lastError = SOCKET_ERR.PDP_OPEN;
      return urc(SOCKET_ERR.PDP_OPEN);
    }
    const faults = openFaults(ctx);
    m.sockets.add({ family, id, cid, host, port, ssl }, faults).open(ssl);
  });
  ctx.ok();
}

function qiopen(ctx: Ctx): void {
  const a = ctx.args;
  const cid = intArg(a[0], 1, MAX_CID);
  const id = intArg(a[1], 0, MAX_SOCKET_ID);
  const service = strArg(a[2], 20);
  const host = strArg(a[3], MAX_HOST);
  const port = intArg(a[4], 1, 65535);
  const local = a.length > 5 ? intArg(a[5], 0, 65535) : 0;
  const mode = a.length > 6 ? intArg(a[6], 0, 2) : 0;
  if (cid === null || id === null || service === null || !host || port === null || local === null || mode === null || a.length > 7) {
    return fail(ctx, SOCKET_ERR.INVALID_PARAM);
  }
  // Only TCP clients in buffer access mode are modelled.
  if (service.toUpperCase() !== "TCP" || mode !== 0) return fail(ctx, SOCKET_ERR.NOT_ALLOWED);
  open(ctx, TCP, cid, id, host, port);
}

function qsslopen(ctx: Ctx): void {
  const a = ctx.args;
  const cid = intArg(a[0], 1, MAX_CID);
  const sslctx = intArg(a[1], 0, 5);
  const id = intArg(a[2], 0, MAX_SOCKET_ID);
  const host = strArg(a[3], MAX_HOST);
  const port = intArg(a[4], 1, 65535);
  const mode = a.length > 5 ? intArg(a[5], 0, 2) : 0;
  if (cid === null || sslctx === null || id === null || !host || port === null || mode === null || a.length > 6) {
    return fail(ctx, SOCKET_ERR.INVALID_PARAM);
  }
  if (mode !== 0) return fail(ctx, SOCKET_ERR.NOT_ALLOWED);
  open(ctx, SSL, cid, id, host, port, sslSettings(ctx, sslctx));
}

/** AT+QISEND / AT+QSSLSEND: the prompt, exactly n bytes, then the result. */
function send(family: SocketFamily) {
  return (ctx: Ctx): void => {
    const m = ctx.m;
    const a = ctx.args;
    const id = intArg(a[0], 0, MAX_SOCKET_ID);
    if (id === null || (a.length !== 2 && a.length !== 1)) return fail(ctx, SOCKET_ERR.INVALID_PARAM);
    const c = m.sockets.get(id);
    if (a.length === 1) return sendVariable(ctx, family, id);
    if (family.kind === "tcp" && a[1] && !a[1].quoted && a[1].text === "0") {
      // The query form: what was sent, acknowledged (all of it: TCP acks are not modelled), outstanding.
      if (!c || c.family !== family) return fail(ctx, SOCKET_ERR.INVALID_PARAM);
      ctx.info(`+QISEND: ${c.totalSent},${c.totalSent},0`);
      return ctx.ok();
    }
    const n = intArg(a[1], 1, MAX_SEND);
    if (n === null) return fail(ctx, SOCKET_ERR.INVALID_PARAM);
    if (!c || c.family !== family || c.state !== "open") return fail(ctx, SOCKET_ERR.CLOSED);
    const sendFail = ctx.faults.some((f) => f.kind === "sendFail");
    const buf = new Uint8Array(n);
    let got = 0;
    let ended = false;
    const echo = family.kind === "tcp" && m.session.qisde === 1;
    const finish = (timedOut: boolean) => {
      if (ended) return;
      ended = true;
      m.clock.clearTimer(timer);
      m.exitDataMode();
      m.later(m.profile.commandMs, () => {
        if (timedOut) {
          m.link.note(`module: ${family.send} got ${got} of ${n} bytes within ${SEND_INPUT_MS / 1000} s: dropped`);
          return fail(ctx, SOCKET_ERR.SOCKET_WRITE);
        }
        if (sendFail) {
          m.link.note(`fault: ${family.send} of ${n} bytes answered SEND FAIL (dropped)`);
          m.send(SEND_FAIL);
          return ctx.none();
        }
        if (c.send(buf) === "error") return fail(ctx, SOCKET_ERR.CLOSED);
        m.send(SEND_OK);
        ctx.none();
      });
    };
    const mode: DataMode = {
      plusEscape: false,
      remaining: () => n - got,
      onByte: (b) => {
        if (ended) return;
        buf[got++] = b;
        if (echo) m.sendBytes(buf.subarray(got - 1, got));
        if (got === n) finish(false);
      },
      onEscape: () => undefined,
    };
    m.enterDataMode(mode, SEND_PROMPT);
    const timer = m.later(SEND_INPUT_MS, () => finish(true));
  };
}

/**
 * AT+QISEND=<id> / AT+QSSLSEND=<id>, the variable-length form: "> ", then bytes until
 * Ctrl+Z (0x1A: send what came, SEND OK) or ESC (0x1B: drop it, OK). With AT+QISDE=1 (the
 * default) every input byte is echoed as it comes, for both families, and Ctrl+Z and ESC are
 * not (docs/sockets.md, decisions). More than 1460 bytes, or no Ctrl+Z/ESC within the input
 * time: the input is dropped and the answer is ERROR (558).
 */
function sendVariable(ctx: Ctx, family: SocketFamily, id: number): void {
  const m = ctx.m;
  const c = m.sockets.get(id);
  if (!c || c.family !== family || c.state !== "open") return fail(ctx, SOCKET_ERR.CLOSED);
  const sendFail = ctx.faults.some((f) => f.kind === "sendFail");
  const buf = new Uint8Array(MAX_SEND);
  let got = 0;
  let ended = false;
  // sslSendEcho false: a module that echoes none of AT+QSSLSEND's data (the notes do not say).
  const echo = m.session.qisde === 1 && (family.kind === "tcp" || m.opts.sslSendEcho !== false);
  const finish = (how: "send" | "cancel" | "error") => {
    if (ended) return;
    ended = true;
    m.clock.clearTimer(timer);
    m.exitDataMode();
    m.later(m.profile.commandMs, () => {
      if (how === "error") {
        m.link.note(`module: ${family.send} input of ${got} bytes not ended by Ctrl+Z within ${SEND_INPUT_MS / 1000} s or too long: dropped`);
        return fail(ctx, SOCKET_ERR.SOCKET_WRITE);
      }
      if (how === "cancel") {
        m.link.note(`module: ${family.send} cancelled by ESC (${got} bytes dropped)`);
        return ctx.ok();
      }
      if (sendFail) {
        m.link.note(`fault: ${family.send} of ${got} bytes answered SEND FAIL (dropped)`);
        m.send(SEND_FAIL);
        return ctx.none();
      }
      if (got > 0 && c.send(buf.slice(0, got)) === "error") return fail(ctx, SOCKET_ERR.CLOSED);
      m.send(SEND_OK);
      ctx.none();
    });
  };
  const mode: DataMode = {
    plusEscape: false,
    remaining: () => MAX_SEND + 1 - got,
    onByte: (b) => {
      if (ended) return;
      if (b === CTRL_Z) return finish("send");
      if (b === ESC) return finish("cancel");
      if (got === MAX_SEND) return finish("error");
      buf[got++] = b;
      if (echo) m.sendBytes(buf.subarray(got - 1, got));
    },
    onEscape: () => undefined,
  };
  m.enterDataMode(mode, SEND_PROMPT);
  const timer = m.later(SEND_INPUT_MS, () => finish("error"));
}

/**
 * A read's data as it reaches the board: without one byte when a `damageRead` fault strikes
 * this read (counted over the reads that return data). The count line keeps the full length.
 */
function damagedRead(ctx: Ctx, data: Buffer): Buffer {
  let out = data;
  for (const f of ctx.m.faults.atEvent("socketRead")) {
    if (f.kind !== "damageRead" || out.length === 0) continue;
    const at = Math.min(f.byte ?? 0, out.length - 1);
    ctx.m.link.note(`fault: byte ${at} of a ${data.length}-byte socket read lost on the UART`);
    out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
  }
  return out;
}

/** AT+QIRD / AT+QSSLRECV. */
function read(family: SocketFamily) {
  return (ctx: Ctx): void => {
    const a = ctx.args;
    const id = intArg(a[0], 0, MAX_SOCKET_ID);
    const n = a.length > 1 ? intArg(a[1], 0, MAX_READ) : family.kind === "tcp" ? MAX_READ : null;
    if (id === null || n === null || a.length > 2) return fail(ctx, SOCKET_ERR.INVALID_PARAM);
    const c = ctx.m.sockets.get(id);
    if (!c || c.family !== family) return fail(ctx, SOCKET_ERR.INVALID_PARAM);
    if (n === 0) {
      ctx.info(`${family.read}: ${c.totalReceived},${c.totalRead},${c.unread}`);
      return ctx.ok();
    }
    const data = c.read(n);
    // The data goes out as it is, between the count line and the final result (latin1: one char a byte).
    if (data.length > 0) ctx.info(`${family.read}: ${data.length}`, damagedRead(ctx, data).toString("latin1"));
    else ctx.info(`${family.read}: 0`);
    ctx.ok();
  };
}

/** AT+QICLOSE / AT+QSSLCLOSE: OK once the FIN exchange is done (one round trip) for an open socket. */
function close(family: SocketFamily) {
  return (ctx: Ctx): void => {
    const a = ctx.args;
    const id = intArg(a[0], 0, MAX_SOCKET_ID);
    const t = a.length > 1 ? intArg(a[1], 0, 65535) : 10;
    if (id === null || t === null || a.length > 2) return fail(ctx, SOCKET_ERR.INVALID_PARAM);
    const m = ctx.m;
    const c = m.sockets.get(id);
    if (!c) return ctx.ok();
    const wasOpen = c.state === "open";
    c.close();
    m.sockets.remove(c);
    if (!wasOpen) return ctx.ok();
    ctx.wait(m.profile.radioRttMs, () => ctx.ok());
  };
}

/** The four commands of a family, as rows: name, test-form line, write handler. */
function familySpecs(f: SocketFamily, openHandler: (ctx: Ctx) => void, openTest: string): CommandSpec[] {
  const rows: [string, string, (ctx: Ctx) => void][] = [
    [f.open, openTest, openHandler],
    [f.send, `${f.send}: (0-${MAX_SOCKET_ID}),(0-${MAX_SEND})`, send(f)],
    [f.read, `${f.read}: (0-${MAX_SOCKET_ID}),(0-${MAX_READ})`, read(f)],
    [f.close, `${f.close}: (0-${MAX_SOCKET_ID}),(0-65535)`, close(f)],
  ];
  return rows.map(([name, testLine, write]) => ({
    name,
    sim: "cme" as const,
    test: (ctx: Ctx) => {
      ctx.info(testLine);
      ctx.ok();
    },
    write,
  }));
}

export function socketCommands(): CommandSpec[] {
  return [
    ...familySpecs(TCP, qiopen, `+QIOPEN: (1-${MAX_CID}),(0-${MAX_SOCKET_ID}),"TCP","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0)`),
    ...familySpecs(SSL, qsslopen, `+QSSLOPEN: (1-${MAX_CID}),(0-5),(0-${MAX_SOCKET_ID}),"<serveraddr>",<server_port>,(0)`),
    {
      name: "+QISDE",
      test: (ctx) => {
        ctx.info("+QISDE: (0,1)");
        ctx.ok();
      },
      read: (ctx) => {
        ctx.info(`+QISDE: ${ctx.s.qisde}`);
        ctx.ok();
      },
      write: (ctx) => {
        const v = intArg(ctx.args[0], 0, 1);
        if (v === null || ctx.args.length !== 1) return ctx.error();
        ctx.s.qisde = v;
        ctx.ok();
      },
    },
    {
      name: "+QIGETERROR",
      test: (ctx) => ctx.ok(),
      exec: (ctx) => {
        const e = ctx.m.sockets.lastError;
        ctx.info(`+QIGETERROR: ${e},${socketErrText(e)}`);
        ctx.ok();
      },
    },
  ];
}
