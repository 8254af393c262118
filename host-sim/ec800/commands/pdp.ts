// PDP contexts on the Quectel TCP/IP stack: AT+QICSGP, AT+QIACT, AT+QIDEACT, and the
// +QIURC: "pdpdeact" URC when the network drops a context. Deactivation closes the sockets
// on the context (sockets/table.ts).
import type { CommandSpec } from "../command.js";
import type { Ec800 } from "../modem.js";
import { intArg, strArg } from "../parse.js";

export const MAX_CID = 16;

export function ipFor(m: Ec800, cid: number): string {
  const base = m.opts.ip ?? "10.7.157.1";
  if (cid === 1) return base;
  const parts = base.split(".");
  parts[3] = String((Number(parts[3]) + cid - 1) % 255);
  return parts.join(".");
}

/** The network deactivated a context: forget it and tell the host (a service URC). */
export function pdpDeact(m: Ec800, cid: number): void {
  if (!m.session.active.has(cid)) return;
  m.session.active.delete(cid);
  m.sockets.closeContext(cid, true);
  m.urc(`+QIURC: "pdpdeact",${cid}`, true);
}

export function pdpCommands(): CommandSpec[] {
  return [
    {
      name: "+QICSGP",
      sim: "cme",
      test: (ctx) => {
        ctx.info(`+QICSGP: (1-${MAX_CID}),(1-3),<APN>,<username>,<password>,(0-3)`);
        ctx.ok();
      },
      write: (ctx) => {
        const cid = intArg(ctx.args[0], 1, MAX_CID);
        if (cid === null) return ctx.error();
        if (ctx.args.length === 1) {
          const p = ctx.s.pdp.get(cid) ?? { type: 1, apn: "", user: "", password: "", auth: 0 };
          ctx.info(`+QICSGP: ${p.type},"${p.apn}","${p.user}","${p.password}",${p.auth}`);
          return ctx.ok();
        }
        const type = intArg(ctx.args[1], 1, 3);
        const apn = ctx.args.length > 2 ? strArg(ctx.args[2], 62) : "";
        const user = ctx.args.length > 3 ? strArg(ctx.args[3], 127) : "";
        const password = ctx.args.length > 4 ? strArg(ctx.args[4], 127) : "";
        const auth = ctx.args.length > 5 ? intArg(ctx.args[5], 0, 3) : 0;
        if (type === null || apn === null || user === null || password === null || auth === null || ctx.args.length > 6) return ctx.error();
        ctx.s.pdp.set(cid, { type, apn, user, password, auth });
        ctx.ok();
      },
    },
    {
      name: "+QIACT",
      sim: "cme",
      test: (ctx) => {
        ctx.info(`+QIACT: (1-${MAX_CID})`);
        ctx.ok();
      },
      read: (ctx) => {
        const cids = [...ctx.s.active.keys()].sort((a, b) => a - b);
        for (const cid of cids) ctx.info(`+QIACT: ${cid},1,${ctx.s.pdp.get(cid)?.type ?? 1},"${ctx.s.active.get(cid)}"`);
        ctx.ok();
      },
      write: (ctx) => {
        const m = ctx.m;
        const cid = intArg(ctx.args[0], 1, MAX_CID);
        if (cid === null || ctx.args.length > 1) return ctx.error();
        if (ctx.s.active.has(cid)) return ctx.ok();
        const injected = m.faults.atEvent("pdpActivationFails").length > 0;
        if (injected || m.cgatt !== 1 || ctx.s.active.size >= 3) {
          return ctx.wait(m.profile.pdpFailMs, () => ctx.error());
        }
        ctx.wait(m.profile.pdpActivateMs, () => {
          ctx.s.active.set(cid, ipFor(m, cid));
          ctx.ok();
        });
      },
    },
    {
      name: "+QIDEACT",
      test: (ctx) => {
        ctx.info(`+QIDEACT: (1-${MAX_CID})`);
        ctx.ok();
      },
      write: (ctx) => {
        const cid = intArg(ctx.args[0], 1, MAX_CID);
        if (cid === null || ctx.args.length > 1) return ctx.error();
        ctx.wait(ctx.m.profile.pdpDeactivateMs, () => {
          ctx.s.active.delete(cid);
          ctx.m.sockets.closeContext(cid, false);
          ctx.ok();
        });
      },
    },
  ];
}
