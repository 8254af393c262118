// AT+QSSLCFG: the SSL context items the SMTP path uses (sslversion, ciphersuite,
// seclevel - also spelt "seclvl" as in the seed's examples 3.2/3.3 - cacert, sni,
// ignorelocaltime, negotiatetime). Session settings: lost on reboot.
import type { CommandSpec, Ctx } from "../command.js";
import { intArg, strArg } from "../parse.js";
import { newSslContext, type SslContext } from "../state.js";

type NumItem = "sslversion" | "seclevel" | "sni" | "ignorelocaltime" | "negotiatetime";
const NUM_ITEMS: Record<NumItem, [number, number]> = {
  sslversion: [0, 4],
  seclevel: [0, 2],
  sni: [0, 1],
  ignorelocaltime: [0, 1],
  negotiatetime: [10, 300],
};

function context(ctx: Ctx, id: number): SslContext {
  let c = ctx.s.ssl.get(id);
  if (!c) {
    c = newSslContext();
    ctx.s.ssl.set(id, c);
  }
  return c;
}

export function sslCommands(): CommandSpec[] {
  return [
    {
      name: "+QSSLCFG",
      test: (ctx) => {
        ctx.info(
          '+QSSLCFG: "sslversion",(0-5),(0-4)',
          '+QSSLCFG: "ciphersuite",(0-5),(0X0035,0X002F,0X0005,0X0004,0X000A,0X003D,0XC02F,0XC030,0XFFFF)',
          '+QSSLCFG: "cacert",(0-5),<cacertpath>',
          '+QSSLCFG: "seclevel",(0-5),(0-2)',
          '+QSSLCFG: "ignorelocaltime",(0-5),(0,1)',
          '+QSSLCFG: "negotiatetime",(0-5),(10-300)',
          '+QSSLCFG: "sni",(0-5),(0,1)',
        );
        ctx.ok();
      },
      write: (ctx) => {
        const a = ctx.args;
        if (!a[0]?.quoted) return ctx.error();
        let item = a[0].text.toLowerCase();
        if (item === "seclvl") item = "seclevel";
        const id = intArg(a[1], 0, 5);
        if (id === null || a.length > 3) return ctx.error();
        const c = context(ctx, id);
        const query = a.length === 2;
        if (item in NUM_ITEMS) {
          const key = item as NumItem;
          if (query) {
            ctx.info(`+QSSLCFG: "${key}",${id},${c[key]}`);
            return ctx.ok();
          }
          const [lo, hi] = NUM_ITEMS[key];
          const v = intArg(a[2], lo, hi);
          if (v === null) return ctx.error();
          c[key] = v;
          return ctx.ok();
        }
        if (item === "ciphersuite") {
          if (query) {
            ctx.info(`+QSSLCFG: "ciphersuite",${id},${c.ciphersuite}`);
            return ctx.ok();
          }
          const m = /^0[xX]([0-9A-Fa-f]{1,4})$/.exec(a[2].text);
          if (!m) return ctx.error();
          c.ciphersuite = "0X" + m[1].toUpperCase().padStart(4, "0");
          return ctx.ok();
        }
        if (item === "cacert") {
          if (query) {
            ctx.info(`+QSSLCFG: "cacert",${id},"${c.cacert}"`);
            return ctx.ok();
          }
          const path = strArg(a[2], 80);
          if (path === null) return ctx.error();
          c.cacert = path;
          return ctx.ok();
        }
        ctx.error();
      },
    },
  ];
}
