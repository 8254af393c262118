// The seven SMTP commands of the seed (chapter 2.3): AT+QSMTPCFG, AT+QSMTPDST,
// AT+QSMTPSUB, AT+QSMTPBODY, AT+QSMTPATT, AT+QSMTPCLR, AT+QSMTPPUT, with their test,
// read and write forms. Parameter errors answer +CME ERROR: 664; while a send runs,
// every editing command and AT+QSMTPPUT answer +CME ERROR: 652. Without a ready SIM
// they answer plain ERROR (seed 4.1). The send itself is in ../send.ts.
import type { CommandSpec, Ctx, DataMode } from "../command.js";
import { E } from "../codes.js";
import { intArg, strArg } from "../parse.js";
import { canonicalFile, newDraft } from "../state.js";
import { startSend } from "../send.js";

const MAX_RECIPIENTS = 20;
const MAX_BODY = 10240;

function busy(ctx: Ctx): boolean {
  if (ctx.m.sending) {
    ctx.cme(E.SMTP_BUSY);
    return true;
  }
  return false;
}

function cfgWrite(ctx: Ctx): void {
  const a = ctx.args;
  const c = ctx.s.smtp;
  if (!a[0]?.quoted) return ctx.cme(E.SMTP_PARAM);
  const item = a[0].text.toLowerCase();
  const query = a.length === 1;
  if (!query && busy(ctx)) return;
  const pair = (get: () => [string, string], set: (x: string, y: string) => void) => {
    if (query) {
      const [x, y] = get();
      ctx.info(`+QSMTPCFG: "${item}","${x}","${y}"`);
      return ctx.ok();
    }
    const x = strArg(a[1], 50);
    const y = strArg(a[2], 50);
    if (x === null || y === null || a.length !== 3) return ctx.cme(E.SMTP_PARAM);
    set(x, y);
    ctx.ok();
  };
  const num = (key: "contextid" | "sslctxid" | "ssltype" | "bodyoriginal", lo: number, hi: number) => {
    if (query) {
      ctx.info(`+QSMTPCFG: "${item}",${c[key]}`);
      return ctx.ok();
    }
    const v = intArg(a[1], lo, hi);
    if (v === null || a.length !== 2) return ctx.cme(E.SMTP_PARAM);
    c[key] = v;
    ctx.ok();
  };
  switch (item) {
    case "account":
      return pair(() => [c.user, c.password], (x, y) => ((c.user = x), (c.password = y)));
    case "sender":
      return pair(() => [c.senderName, c.senderEmail], (x, y) => ((c.senderName = x), (c.senderEmail = y)));
    case "smtpserver": {
      if (query) {
        ctx.info(`+QSMTPCFG: "smtpserver","${c.host}",${c.port}`);
        return ctx.ok();
      }
      const host = strArg(a[1], 50);
      const port = a.length > 2 ? intArg(a[2], 1, 65535) : 25;
      if (host === null || host === "" || port === null || a.length > 3) return ctx.cme(E.SMTP_PARAM);
      c.host = host;
      c.port = port;
      return ctx.ok();
    }
    case "contextid":
      return num("contextid", 1, 16);
    case "sslctxid":
      return num("sslctxid", 0, 5);
    case "ssltype":
      return num("ssltype", 0, 2);
    case "bodyoriginal":
      return num("bodyoriginal", 0, 1);
    default:
      ctx.cme(E.SMTP_PARAM);
  }
}

function body(ctx: Ctx): void {
  const m = ctx.m;
  const a = ctx.args;
  const charset = intArg(a[0], 0, 3);
  const length = intArg(a[1], 1, MAX_BODY);
  const time = a.length > 2 ? intArg(a[2], 1, 65535) : 90;
  if (charset === null || length === null || time === null || a.length > 3) return ctx.cme(E.SMTP_PARAM);
  if (busy(ctx)) return;
  const buf = new Uint8Array(length);
  let got = 0;
  let timer: unknown = null;
  let ended = false;
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    if (timer !== null) m.clock.clearTimer(timer);
    m.exitDataMode();
    const bytes = buf.slice(0, got);
    ctx.s.mail.body = { charset, bytes };
    m.link.note(`module: body ended by ${why} (${got} bytes)`);
    m.later(m.profile.dataDoneMs, () => {
      ctx.info(`+QSMTPBODY: ${bytes.length}`);
      ctx.ok();
    });
  };
  // A reboot of the module, or a power cut of the board, after N bytes of body data.
  const faults = m.faults.atEvent("bodyData");
  const rebootAfter = faults.map((f) => (f.kind === "reboot" && f.at === "bodyData" ? f.afterBytes : -1));
  const cutAfter = faults.map((f) => (f.kind === "powerCut" && f.at === "bodyData" ? f.afterBytes : -1));
  const cut = (n: number): void => {
    const f = faults.find((x) => x.kind === "powerCut" && x.at === "bodyData" && x.afterBytes === n);
    if (f) m.emit(`board power cut inside body data after ${n} bytes`, f);
  };
  const mode: DataMode = {
    plusEscape: true,
    remaining: () => length - got,
    onByte: (b) => {
      if (ended) return;
      buf[got++] = b;
      if (cutAfter.includes(got)) {
        cut(got);
        if (m.power !== "on" || !m.inDataMode) {
          ended = true;
          return;
        }
      }
      if (rebootAfter.includes(got)) {
        ended = true;
        m.reboot(`fault inside body data after ${got} bytes`);
        return;
      }
      if (got === length) end("length");
    },
    onEscape: () => end("+++"),
  };
  ctx.connect(mode);
  if (cutAfter.includes(0)) cut(0);
  if (rebootAfter.includes(0)) {
    ended = true;
    m.reboot("fault inside body data after 0 bytes");
    return;
  }
  timer = m.later(time * 1000, () => {
    timer = null;
    m.flushPlus();
    end("input time");
  });
}

export function smtpCommands(): CommandSpec[] {
  return [
    {
      name: "+QSMTPCFG",
      sim: "error",
      test: (ctx) => {
        ctx.info(
          '+QSMTPCFG: "account",<username>,<password>',
          '+QSMTPCFG: "sender",<sender_name>,<sender_email>',
          '+QSMTPCFG: "smtpserver",<srvaddr>,<srvport>',
          '+QSMTPCFG: "contextid",(1-16)',
          '+QSMTPCFG: "sslctxid",(0-5)',
          '+QSMTPCFG: "ssltype",(0-2)',
          '+QSMTPCFG: "bodyoriginal",(0,1)',
        );
        ctx.ok();
      },
      write: cfgWrite,
    },
    {
      name: "+QSMTPDST",
      sim: "error",
      test: (ctx) => {
        ctx.info("+QSMTPDST: (0,1),(1-3),<emailaddr>");
        ctx.ok();
      },
      read: (ctx) => {
        for (const r of ctx.s.mail.recipients) ctx.info(`+QSMTPDST: ${r.type},"${r.addr}"`);
        ctx.ok();
      },
      write: (ctx) => {
        const a = ctx.args;
        const mode = intArg(a[0], 0, 1);
        const type = a.length > 1 ? intArg(a[1], 1, 3) : 0;
        const addr = a.length > 2 ? strArg(a[2], 50) : "";
        if (mode === null || type === null || addr === null || a.length > 3) return ctx.cme(E.SMTP_PARAM);
        if (busy(ctx)) return;
        const list = ctx.s.mail.recipients;
        if (mode === 0) {
          ctx.s.mail.recipients = list.filter((r) => !((type === 0 || r.type === type) && (addr === "" || r.addr === addr)));
          return ctx.ok();
        }
        if (type === 0 || addr === "" || a.length !== 3) return ctx.cme(E.SMTP_PARAM);
        if (list.length >= MAX_RECIPIENTS) return ctx.cme(E.SMTP_PARAM);
        list.push({ type, addr });
        ctx.ok();
      },
    },
    {
      name: "+QSMTPSUB",
      sim: "error",
      test: (ctx) => {
        ctx.info("+QSMTPSUB: (0-3),<subject>");
        ctx.ok();
      },
      read: (ctx) => {
        const s = ctx.s.mail.subject;
        ctx.info(`+QSMTPSUB: ${s.charset},"${s.text}"`);
        ctx.ok();
      },
      write: (ctx) => {
        const a = ctx.args;
        const charset = intArg(a[0], 0, 3);
        if (charset === null || a.length !== 2 || !a[1].quoted) return ctx.cme(E.SMTP_PARAM);
        const text = a[1].text;
        if (charset === 0 ? text.length > 100 : text.length > 200 || text.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(text)) {
          return ctx.cme(E.SMTP_PARAM);
        }
        if (busy(ctx)) return;
        ctx.s.mail.subject = { charset, text };
        ctx.ok();
      },
    },
    {
      name: "+QSMTPBODY",
      sim: "error",
      test: (ctx) => {
        ctx.info(`+QSMTPBODY: (0-3),(1-${MAX_BODY}),(1-65535)`);
        ctx.ok();
      },
      read: (ctx) => ctx.ok(),
      write: body,
    },
    {
      name: "+QSMTPATT",
      sim: "error",
      test: (ctx) => {
        ctx.info("+QSMTPATT: (0,1),(1-10),<file_name>");
        ctx.ok();
      },
      read: (ctx) => {
        const atts = [...ctx.s.mail.attachments.entries()].sort((x, y) => x[0] - y[0]);
        for (const [idx, name] of atts) {
          const canon = canonicalFile(name);
          const data = canon ? ctx.p.files.get(canon) : undefined;
          ctx.info(`+QSMTPATT: ${idx},"${name}",${data ? data.length : 0}`);
        }
        ctx.ok();
      },
      write: (ctx) => {
        const a = ctx.args;
        const mode = intArg(a[0], 0, 1);
        const idx = a.length > 1 ? intArg(a[1], 1, 10) : 0;
        const name = a.length > 2 ? strArg(a[2], 50) : "";
        if (mode === null || idx === null || name === null || a.length > 3) return ctx.cme(E.SMTP_PARAM);
        if (busy(ctx)) return;
        const atts = ctx.s.mail.attachments;
        if (mode === 0) {
          if (idx === 0) atts.clear();
          else atts.delete(idx);
          return ctx.ok();
        }
        if (idx === 0 || name === "" || a.length !== 3) return ctx.cme(E.SMTP_PARAM);
        const canon = canonicalFile(name);
        if (!canon || !ctx.p.files.has(canon)) return ctx.cme(E.SMTP_FILE_OPEN);
        atts.set(idx, name);
        ctx.ok();
      },
    },
    {
      name: "+QSMTPCLR",
      sim: "error",
      test: (ctx) => ctx.ok(),
      exec: (ctx) => {
        if (busy(ctx)) return;
        ctx.s.mail = newDraft();
        ctx.ok();
      },
    },
    {
      name: "+QSMTPPUT",
      sim: "error",
      test: (ctx) => {
        ctx.info("+QSMTPPUT: (60-65535)");
        ctx.ok();
      },
      write: (ctx) => {
        const t = intArg(ctx.args[0], 60, 65535);
        if (t === null || ctx.args.length !== 1) return ctx.cme(E.SMTP_PARAM);
        if (busy(ctx)) return;
        ctx.m.sending = true;
        ctx.m.onResponseSent(() => startSend(ctx.m, t));
        ctx.ok();
      },
    },
  ];
}
