// AT+QISTATE and AT+QSSLSTATE: the socket table as the module lists it (S-TCP 2.4.9; the
// SSL form as a real EG800K printed it: docs/sockets.md).
//   +QISTATE: <id>,"TCP","<ip>",<remote_port>,<local_port>,<state>,<cid>,<serverID>,<access_mode>,"<AT_port>"
//   +QSSLSTATE: <id>,"SSLClient","<ip>",<remote_port>,<local_port>,<state>,<cid>,<serverID>,<access_mode>,"<AT_port>",<sslctx>
// The model assigns no local ports (0, as the EG800K prints for SSL), serverID is the id, the
// access mode is always 0 (buffer) and the port "uart1".
import type { CommandSpec, Ctx } from "../command.js";
import { intArg } from "../parse.js";
import { MAX_CID } from "./pdp.js";
import { MAX_SOCKET_ID, SSL, TCP } from "../sockets/family.js";
import type { Connection, SocketState } from "../sockets/connection.js";

/** <socket_state>: 1 opening, 2 connected, 4 closing (closed by the peer, waiting for AT+QICLOSE). */
const STATE: Record<SocketState, number> = { opening: 1, open: 2, peerClosed: 4, closed: 0 };

function line(c: Connection): string {
  const common = `"${c.remoteAddress}",${c.port},0,${STATE[c.state]},${c.cid},${c.id},0,"uart1"`;
  return c.family === SSL ? `+QSSLSTATE: ${c.id},"SSLClient",${common},${c.sslctx ?? 0}` : `+QISTATE: ${c.id},"TCP",${common}`;
}

function list(ctx: Ctx, pick: (c: Connection) => boolean): void {
  for (const c of ctx.m.sockets.all()) if (c.state !== "closed" && pick(c)) ctx.info(line(c));
  ctx.ok();
}

export function socketStateCommands(): CommandSpec[] {
  return [
    {
      name: "+QISTATE",
      test: (ctx) => ctx.ok(),
      read: (ctx) => list(ctx, (c) => c.family === TCP),
      exec: (ctx) => list(ctx, (c) => c.family === TCP),
      write: (ctx) => {
        const type = intArg(ctx.args[0], 0, 1);
        const n = type === 0 ? intArg(ctx.args[1], 1, MAX_CID) : intArg(ctx.args[1], 0, MAX_SOCKET_ID);
        if (type === null || n === null || ctx.args.length !== 2) return ctx.error();
        list(ctx, (c) => c.family === TCP && (type === 0 ? c.cid === n : c.id === n));
      },
    },
    {
      name: "+QSSLSTATE",
      test: (ctx) => ctx.ok(),
      exec: (ctx) => list(ctx, (c) => c.family === SSL),
      write: (ctx) => {
        const id = intArg(ctx.args[0], 0, MAX_SOCKET_ID);
        if (id === null || ctx.args.length !== 1) return ctx.error();
        list(ctx, (c) => c.family === SSL && c.id === id);
      },
    },
  ];
}
