// SIM and network: AT+CPIN, AT+QCCID, AT+CSQ, AT+CREG/CGREG/CEREG, AT+CGATT, AT+COPS, AT+CCLK.
import type { CommandSpec, Ctx } from "../command.js";
import { intArg, strArg } from "../parse.js";

function registered(ctx: Ctx): boolean {
  return ctx.m.regStat === 1 || ctx.m.regStat === 5;
}

function regCommand(kind: "CREG" | "CGREG" | "CEREG"): CommandSpec {
  return {
    name: `+${kind}`,
    test: (ctx) => {
      ctx.info(`+${kind}: (0-2)`);
      ctx.ok();
    },
    read: (ctx) => {
      const n = ctx.s.regUrc[kind];
      const stat = ctx.m.regStatOf(kind);
      ctx.info(n === 2 && (stat === 1 || stat === 5) ? `+${kind}: 2,${stat},"D509","80D413D",7` : `+${kind}: ${n},${stat}`);
      ctx.ok();
    },
    write: (ctx) => {
      const n = intArg(ctx.args[0], 0, 2);
      if (n === null || ctx.args.length > 1) return ctx.error();
      ctx.s.regUrc[kind] = n;
      ctx.ok();
    },
  };
}

const DEFAULT_NETWORK_TIME_MS = Date.UTC(2026, 10, 23, 0, 0, 0);
const DEFAULT_TZ_QUARTERS = 32;
/** The module's clock before the network has set it: 3GPP 27.007 leaves it to the maker; we use 2000-01-01 (an assumption). */
const UNSET_CLOCK_MS = Date.UTC(2000, 0, 1, 0, 0, 0);

const two = (n: number): string => String(n).padStart(2, "0");

/** +CCLK: "yy/MM/dd,hh:mm:ss±zz" (3GPP 27.007): local time and its offset in quarter hours. */
function cclk(ctx: Ctx): string {
  const o = ctx.m.opts;
  const tz = o.timeZoneQuarters ?? DEFAULT_TZ_QUARTERS;
  const utc = registered(ctx) ? (o.networkTimeMs ?? DEFAULT_NETWORK_TIME_MS) + ctx.m.clock.now() : UNSET_CLOCK_MS + ctx.m.clock.now();
  const zone = registered(ctx) ? tz : 0;
  const d = new Date(utc + zone * 15 * 60_000);
  const date = `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `+CCLK: "${date},${time}${zone < 0 ? "-" : "+"}${two(Math.abs(zone))}"`;
}

/** The +CME ERROR of a SIM that cannot answer yet (busy 14, absent 10, failed or off 13), or 0. */
function simNotReady(ctx: Ctx): number {
  const sim = ctx.m.sim;
  if (sim === "busy") return 14;
  if (sim === "absent") return 10;
  return sim === "failure" || sim === "off" ? 13 : 0;
}

/** The SIM's ICCID when the scenario names none (19 digits and a check digit, ITU-T E.118). */
const DEFAULT_ICCID = "89860012345678901234";

export function networkCommands(): CommandSpec[] {
  return [
    {
      // Quectel's AT+QCCID: "+QCCID: <ICCID>" once the SIM answers (the EC200/EC800 AT manuals).
      name: "+QCCID",
      test: (ctx) => ctx.ok(),
      exec: (ctx) => {
        const refused = simNotReady(ctx);
        if (refused) return ctx.cme(refused);
        ctx.info(`+QCCID: ${ctx.m.opts.iccid ?? DEFAULT_ICCID}`);
        ctx.ok();
      },
    },
    {
      name: "+CCLK",
      test: (ctx) => ctx.ok(),
      read: (ctx) => {
        ctx.info(cclk(ctx));
        ctx.ok();
      },
    },
    {
      name: "+CPIN",
      test: (ctx) => ctx.ok(),
      read: (ctx) => {
        const refused = simNotReady(ctx);
        if (refused) return ctx.cme(refused);
        ctx.info(ctx.m.sim === "pin" ? "+CPIN: SIM PIN" : "+CPIN: READY");
        ctx.ok();
      },
      write: (ctx) => {
        const sim = ctx.m.sim;
        if (sim === "busy") return ctx.cme(14);
        if (sim === "absent") return ctx.cme(10);
        if (sim !== "pin") return ctx.cme(3);
        const pin = strArg(ctx.args[0], 8) ?? ctx.args[0]?.text;
        if (!pin || pin !== (ctx.m.opts.simPin ?? "1234")) return ctx.cme(16);
        ctx.m.onResponseSent(() => ctx.m.later(ctx.m.profile.urcGapMs, () => ctx.m.simReady()));
        ctx.ok();
      },
    },
    {
      name: "+CSQ",
      test: (ctx) => {
        ctx.info("+CSQ: (0-31,99),(0-7,99)");
        ctx.ok();
      },
      exec: (ctx) => {
        const [rssi, ber] = registered(ctx) ? ctx.m.opts.csq ?? [25, 99] : [99, 99];
        ctx.info(`+CSQ: ${rssi},${ber}`);
        ctx.ok();
      },
    },
    regCommand("CREG"),
    regCommand("CGREG"),
    regCommand("CEREG"),
    {
      name: "+CGATT",
      test: (ctx) => {
        ctx.info("+CGATT: (0,1)");
        ctx.ok();
      },
      read: (ctx) => {
        ctx.info(`+CGATT: ${ctx.m.cgatt}`);
        ctx.ok();
      },
      write: (ctx) => {
        const v = intArg(ctx.args[0], 0, 1);
        if (v === null) return ctx.error();
        if (v === ctx.m.cgatt) return ctx.ok();
        if (v === 1 && !registered(ctx)) return ctx.wait(ctx.m.profile.cgattMs, () => ctx.error());
        ctx.wait(ctx.m.profile.cgattMs, () => {
          ctx.m.cgatt = v;
          if (v === 0) ctx.s.active.clear();
          ctx.ok();
        });
      },
    },
    {
      name: "+COPS",
      test: (ctx) => {
        ctx.info(`+COPS: (2,"${ctx.m.opts.operator ?? "CHN-UNICOM"}","","46001",7),,(0-4),(0-2)`);
        ctx.ok();
      },
      read: (ctx) => {
        ctx.info(registered(ctx) ? `+COPS: 0,0,"${ctx.m.opts.operator ?? "CHN-UNICOM"}",7` : "+COPS: 0");
        ctx.ok();
      },
      write: (ctx) => {
        const mode = intArg(ctx.args[0], 0, 4);
        if (mode === null) return ctx.error();
        ctx.ok();
      },
    },
  ];
}
