// V.25ter and general commands: AT, ATE, ATV, ATQ, ATI, AT&F, ATZ, AT&W, AT+GMR and
// friends, AT+CMEE, AT+IPR, AT+QURCCFG, AT+CFUN, AT+QPOWD, AT+QINISTAT.
import type { CommandSpec, Ctx } from "../command.js";
import { intArg, strArg } from "../parse.js";

const IPR_RATES = [4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000];
const URC_PORTS = ["usbat", "usbmodem", "uart1"];

/** ATE<n>, ATV<n>, ATQ<n>: a 0/1 session flag; the bare form means 0. */
function flag(key: "echo" | "verbose" | "quiet"): Pick<CommandSpec, "exec" | "write"> {
  return {
    exec: (ctx: Ctx) => {
      ctx.s[key] = false;
      ctx.ok();
    },
    write: (ctx: Ctx) => {
      const v = intArg(ctx.args[0], 0, 1);
      if (v === null) return ctx.error();
      ctx.s[key] = v === 1;
      ctx.ok();
    },
  };
}

function resetSettings(ctx: Ctx): void {
  ctx.s.echo = true;
  ctx.s.verbose = true;
  ctx.s.quiet = false;
  ctx.s.cmee = ctx.m.opts.cmee ?? 0;
  ctx.ok();
}

export function basicCommands(): CommandSpec[] {
  const model = (ctx: Ctx) => ctx.m.opts.model ?? "EC800N";
  const revision = (ctx: Ctx) => ctx.m.opts.revision ?? "EC800NCNLCR01A01M04";
  const info = (fn: (ctx: Ctx) => string[]): CommandSpec["exec"] => (ctx) => {
    ctx.info(...fn(ctx));
    ctx.ok();
  };
  return [
    { name: "", exec: (ctx) => ctx.ok() },
    { name: "E", ...flag("echo") },
    { name: "V", ...flag("verbose") },
    { name: "Q", ...flag("quiet") },
    { name: "I", exec: info((ctx) => ["Quectel", model(ctx), `Revision: ${revision(ctx)}`]) },
    { name: "&F", exec: resetSettings, write: (ctx) => (intArg(ctx.args[0], 0, 0) === null ? ctx.error() : resetSettings(ctx)) },
    { name: "Z", exec: resetSettings, write: (ctx) => (intArg(ctx.args[0], 0, 0) === null ? ctx.error() : resetSettings(ctx)) },
    { name: "&W", exec: (ctx) => ((ctx.p.savedBaud = ctx.m.currentBaud), ctx.ok()), write: (ctx) => ((ctx.p.savedBaud = ctx.m.currentBaud), ctx.ok()) },
    { name: "&D", exec: (ctx) => ctx.ok(), write: (ctx) => (intArg(ctx.args[0], 0, 2) === null ? ctx.error() : ctx.ok()) },
    { name: "&C", exec: (ctx) => ctx.ok(), write: (ctx) => (intArg(ctx.args[0], 0, 1) === null ? ctx.error() : ctx.ok()) },
    { name: "+GMR", exec: info((ctx) => [revision(ctx)]), test: (ctx) => ctx.ok() },
    { name: "+CGMR", exec: info((ctx) => [revision(ctx)]), test: (ctx) => ctx.ok() },
    { name: "+GMI", exec: info(() => ["Quectel"]), test: (ctx) => ctx.ok() },
    { name: "+CGMI", exec: info(() => ["Quectel"]), test: (ctx) => ctx.ok() },
    { name: "+GMM", exec: info((ctx) => [model(ctx)]), test: (ctx) => ctx.ok() },
    { name: "+CGMM", exec: info((ctx) => [model(ctx)]), test: (ctx) => ctx.ok() },
    {
      name: "+CMEE",
      test: info(() => ["+CMEE: (0-2)"]),
      read: info((ctx) => [`+CMEE: ${ctx.s.cmee}`]),
      write: (ctx) => {
        const v = intArg(ctx.args[0], 0, 2);
        // A module that keeps its error format (scenario `refuseCmee`): ERROR, CMEE unchanged.
        if (v === null || ctx.args.length > 1 || ctx.m.opts.refuseCmee) return ctx.error();
        ctx.s.cmee = v;
        ctx.ok();
      },
    },
    {
      name: "+IPR",
      test: info(() => [`+IPR: (),(${IPR_RATES.join(",")})`]),
      read: info((ctx) => [`+IPR: ${ctx.m.currentBaud}`]),
      write: (ctx) => {
        const v = intArg(ctx.args[0], 0, 10000000);
        if (v === null || !IPR_RATES.includes(v)) return ctx.error();
        // The new rate applies right after the OK has left the module.
        ctx.m.onResponseSent(() => ctx.m.changeBaud(v));
        ctx.ok();
      },
    },
    {
      name: "+QURCCFG",
      test: info(() => [`+QURCCFG: "urcport",(${URC_PORTS.map((p) => `"${p}"`).join(",")})`]),
      write: (ctx) => {
        if (ctx.args[0]?.text.toLowerCase() !== "urcport" || !ctx.args[0].quoted) return ctx.error();
        if (ctx.args.length === 1) {
          ctx.info(`+QURCCFG: "urcport","${ctx.p.urcPort}"`);
          return ctx.ok();
        }
        const port = strArg(ctx.args[1], 20)?.toLowerCase();
        if (!port || (!URC_PORTS.includes(port) && port !== "all")) return ctx.error();
        ctx.p.urcPort = port;
        ctx.ok();
      },
    },
    {
      name: "+CFUN",
      test: info(() => ["+CFUN: (0,1,4),(0,1)"]),
      read: info((ctx) => [`+CFUN: ${ctx.m.cfun}`]),
      write: (ctx) => {
        const fun = intArg(ctx.args[0], 0, 4);
        const rst = ctx.args.length > 1 ? intArg(ctx.args[1], 0, 1) : 0;
        if (fun === null || fun === 2 || fun === 3 || rst === null) return ctx.error();
        if (rst === 1) {
          ctx.m.onResponseSent(() => ctx.m.reboot("AT+CFUN=1,1"));
          ctx.ok();
          return;
        }
        ctx.m.setFun(fun);
        ctx.ok();
      },
    },
    {
      name: "+QPOWD",
      exec: (ctx) => {
        ctx.m.onResponseSent(() => ctx.m.powerDown(ctx.m.profile.powerDownMs));
        ctx.ok();
      },
      write: (ctx) => {
        const n = intArg(ctx.args[0], 0, 1);
        if (n === null) return ctx.error();
        ctx.m.onResponseSent(() => ctx.m.powerDown(n === 0 ? 100 : ctx.m.profile.powerDownMs));
        ctx.ok();
      },
    },
    {
      name: "+QINISTAT",
      exec: info((ctx) => [`+QINISTAT: ${ctx.m.sim === "ready" ? 3 : 0}`]),
      test: info(() => ["+QINISTAT: (0-7)"]),
    },
  ];
}

