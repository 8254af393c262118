// UFS files: AT+QFUPL (data phase, ack mode with one `A` per 1024 bytes, XOR-16
// checksum, timeout with partial save + numeric +CME ERROR: 421, name exists),
// AT+QFLST, AT+QFDEL, AT+QFLDS. Files persist across reboots (RAM: files do not).
// The <timeout> is taken as the longest silence while waiting for data [INF].
// In ack mode, bytes that arrive after a 1024-byte block before its `A` has been sent
// are lost (the module's buffer is full): a host must wait for each `A`.
import type { CommandSpec, Ctx, DataMode } from "../command.js";
import { qfuplChecksumHex } from "../checksum.js";
import { E } from "../codes.js";
import { intArg, strArg } from "../parse.js";
import { UFS_TOTAL, canonicalFile, ufsUsed } from "../state.js";

function matches(pattern: string, name: string): boolean {
  if (pattern === "" || pattern === "*") return name.startsWith("UFS:");
  const canon = canonicalFile(pattern);
  if (!canon) return false;
  const re = new RegExp("^" + canon.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  return re.test(name);
}

function upload(ctx: Ctx): void {
  const m = ctx.m;
  const a = ctx.args;
  const raw = strArg(a[0], 80);
  const name = raw === null ? null : canonicalFile(raw);
  if (name === null) return ctx.error();
  if (a.length === 1) return ctx.error();
  const free = UFS_TOTAL - ufsUsed(m.persistent.files);
  const size = intArg(a[1], 1, 0x7fffffff);
  const timeoutS = a.length > 2 ? intArg(a[2], 1, 65535) : 5;
  const ack = a.length > 3 ? intArg(a[3], 0, 1) : 0;
  if (size === null || timeoutS === null || ack === null || a.length > 4) return ctx.error();
  if (m.persistent.files.has(name)) return ctx.cme(E.FILE_EXISTS);
  if (name.startsWith("UFS:") && size > free) return ctx.cme(E.FILE_DRIVE_FULL);
  const buf = new Uint8Array(size);
  let got = 0;
  let blockDone = false; // an `A` is owed and not yet sent
  let idle: unknown = null;
  const finish = (complete: boolean) => {
    if (idle !== null) m.clock.clearTimer(idle);
    m.exitDataMode();
    const data = buf.slice(0, got);
    for (const f of m.faults.atEvent("upload")) {
      if (f.kind === "corruptUpload" && f.byte < data.length) {
        data[f.byte] ^= 0x20;
        m.link.note(`fault: upload of ${name} corrupted at byte ${f.byte}`);
      }
    }
    m.persistent.files.set(name, data);
    m.later(m.profile.dataDoneMs, () => {
      ctx.info(`+QFUPL: ${got},${qfuplChecksumHex(data)}`);
      if (complete) ctx.ok();
      else ctx.cme(E.FILE_TIMEOUT, true);
    });
  };
  const armIdle = () => {
    if (idle !== null) m.clock.clearTimer(idle);
    idle = m.later(timeoutS * 1000, () => {
      idle = null;
      finish(false);
    });
  };
  const mode: DataMode = {
    plusEscape: false,
    remaining: () => size - got,
    onEscape: () => {},
    onByte: (b) => {
      if (blockDone) {
        m.stats.qfuplDropped++;
        return;
      }
      buf[got++] = b;
      if (got === size) {
        if (ack === 1 && got % 1024 === 0) m.sendBytes(Uint8Array.of(0x41));
        finish(true);
        return;
      }
      armIdle();
      if (ack === 1 && got % 1024 === 0) {
        blockDone = true;
        m.later(m.profile.ackMs, () => {
          blockDone = false;
          m.sendBytes(Uint8Array.of(0x41));
        });
      }
    },
  };
  ctx.connect(mode);
  armIdle();
}

export function fileCommands(): CommandSpec[] {
  return [
    {
      name: "+QFUPL",
      test: (ctx) => {
        ctx.info(`+QFUPL: <filename>,(1-${UFS_TOTAL - ufsUsed(ctx.p.files)}),(1-65535),(0,1)`);
        ctx.ok();
      },
      write: upload,
    },
    {
      name: "+QFLST",
      test: (ctx) => ctx.ok(),
      exec: (ctx) => list(ctx, "*"),
      write: (ctx) => {
        const pattern = strArg(ctx.args[0], 80);
        if (pattern === null) return ctx.error();
        list(ctx, pattern);
      },
    },
    {
      name: "+QFDEL",
      test: (ctx) => ctx.ok(),
      write: (ctx) => {
        const pattern = strArg(ctx.args[0], 80);
        if (pattern === null) return ctx.error();
        const names = [...ctx.p.files.keys()].filter((n) => matches(pattern, n));
        if (names.length === 0) return pattern.includes("*") ? ctx.ok() : ctx.cme(E.FILE_NOT_FOUND);
        for (const n of names) ctx.p.files.delete(n);
        ctx.ok();
      },
    },
    {
      name: "+QFLDS",
      test: (ctx) => ctx.ok(),
      exec: (ctx) => {
        let total = 0;
        let count = 0;
        for (const [n, d] of ctx.p.files) if (n.startsWith("UFS:")) (total += d.length), count++;
        ctx.info(`+QFLDS: ${total},${count}`);
        ctx.ok();
      },
      write: (ctx) => {
        const drive = strArg(ctx.args[0], 10)?.toUpperCase();
        if (drive !== "UFS") return ctx.error();
        ctx.info(`+QFLDS: ${UFS_TOTAL - ufsUsed(ctx.p.files)},${UFS_TOTAL}`);
        ctx.ok();
      },
    },
  ];
}

function list(ctx: Ctx, pattern: string): void {
  for (const [name, data] of ctx.p.files) if (matches(pattern, name)) ctx.info(`+QFLST: "${name}",${data.length}`);
  ctx.ok();
}
