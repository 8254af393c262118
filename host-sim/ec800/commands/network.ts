// SIM and network: AT+CPIN, AT+CSQ, AT+CREG/CGREG/CEREG, AT+CGATT, AT+COPS.
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
      const stat = ctx.m.regStat;
      ctx.info(n === 2 && registered(ctx) ? `+${kind}: 2,${stat},"D509","80D413D",7` : `+${kind}: ${n},${stat}`);
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

export function networkCommands(): CommandSpec[] {
  return [
    {
      name: "+CPIN",
      test: (ctx) => ctx.ok(),
      read: (ctx) => {
        const sim = ctx.m.sim;
        if (sim === "busy") return ctx.cme(14);
        if (sim === "absent") return ctx.cme(10);
        if (sim === "failure" || sim === "off") return ctx.cme(13);
        ctx.info(sim === "pin" ? "+CPIN: SIM PIN" : "+CPIN: READY");
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
