// `cellmail config FILE.json`: check a configuration on the host with the full
// validator (firmware/ext/validate/validate.ts) and, for the compact profile (Espruino, which
// has no room for the validator), write it in its flattened, resolved form.
//   (default)    every problem with its field path (exit 2), or "configuration OK" and a
//                redacted summary (no password, firmware/ext/validate/redact.ts)
//   --compact    the compact JSON (host-sim/config/compact.ts: toCompact + compactJson)
//   --espruino   a ready-to-paste `espruino` command line that writes the Storage file
//                "cellmail.json" with the hardware settings (lteSerial, lteRx, lteTx, lteBaud,
//                and on Linux lteDevice) and the compact config under "cellmail"
// The compact forms carry the passwords (the board needs them); the summary never does.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { redact } from "../../firmware/ext/validate/redact.js";
import { validateConfig } from "../../firmware/ext/validate/validate.js";
import { compactJson, toCompact, type CompactProblem } from "../config/compact.js";
import type { DeviceConfig } from "../../firmware/config/device.js";
import { parseIntArg } from "./common.js";

export interface ConfigOptions {
  compact?: boolean;
  espruino?: boolean;
  port: string;
  serial: string;
  rx?: number;
  tx?: number;
  baud: number;
  consoleBaud: number;
  device?: string;
}

export interface EspruinoSettings {
  port: string;
  serial: number;
  rx?: number;
  tx?: number;
  /** The module's UART rate (lteBaud). */
  baud: number;
  /** Espruino on Linux: the module's serial device file (lteDevice). */
  device?: string;
  /** The rate of the Espruino console the CLI connects to (espruino -b). */
  consoleBaud: number;
}

export function readJson(file: string): unknown {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: cannot read${code === "ENOENT" ? ": no such file" : `: ${(e as Error).message}`}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

/** A word the shell takes as it is, or the word in single quotes with each ' as '\''. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_\/.:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The JavaScript Espruino evaluates: writeJSON of the hardware settings plus the compact
 * configuration. Every ' in a string value becomes \u0027 (the same string for JSON.parse
 * and for Espruino's lexer), so the text holds no single quote and fits in '...' in a shell.
 */
export function espruinoScript(c: DeviceConfig, s: Pick<EspruinoSettings, "serial" | "rx" | "tx" | "baud" | "device">): string {
  const hw = [`lteSerial:${s.serial}`];
  if (s.rx !== undefined) hw.push(`lteRx:${s.rx}`);
  if (s.tx !== undefined) hw.push(`lteTx:${s.tx}`);
  hw.push(`lteBaud:${s.baud}`);
  if (s.device !== undefined) hw.push(`lteDevice:${JSON.stringify(s.device).replace(/'/g, "\\u0027")}`);
  const json = compactJson(c).replace(/'/g, "\\u0027");
  return `require("Storage").writeJSON("cellmail.json",{${hw.join(",")},cellmail:${json}})`;
}

/** The whole command line: espruino -p PORT -b RATE -e '<script>'. */
export function espruinoCommand(c: DeviceConfig, s: EspruinoSettings): string {
  const script = espruinoScript(c, s);
  if (script.includes("'")) throw new Error("internal: a single quote survived in the Espruino script");
  return `espruino -p ${shellWord(s.port)} -b ${s.consoleBaud} -e '${script}'`;
}

/** Problems one a line, as the validator words them ("smtp.port: ..."). */
export function printProblems(file: string, errors: CompactProblem[]): void {
  process.stderr.write(`${file}: invalid configuration (${errors.length} problem${errors.length === 1 ? "" : "s"}):\n`);
  for (const e of errors) process.stderr.write(`  ${e.cause.startsWith(e.field + ":") ? e.cause : `${e.field}: ${e.cause}`}\n`);
}

/** A few lines about the validated configuration, from its redacted copy (no password). */
export function summaryLines(config: unknown): string[] {
  const r = redact(config) as {
    board: string;
    smtp: { provider: string; region: string; server: string; port: number; user: string; password: string; ssl: { type: number; verify: boolean; cacert: string; context: number } };
    sender: { name: string; address: string };
    recipients: { to: string[]; cc: string[]; bcc: string[] };
    network: { apn: string; user: string; password: string; auth: number; context: number };
    alarm: {
      inputs: { key: string; title: string; pin: number; activeLevel: number; debounceMs: number; notifyClear: boolean; raiseAtStart: boolean }[];
      coalesceSeconds: number; perRecipientPerHour: number; heartbeatHours: number; idleMinutes: number; outboxSize: number; maxAttempts: number;
    };
  };
  const s = r.smtp;
  const lines = [
    `  board:      ${r.board}`,
    `  smtp:       ${s.provider}${s.region ? ` (${s.region})` : ""} ${s.server}:${s.port} ssltype ${s.ssl.type}, ssl context ${s.ssl.context}, verify ${s.ssl.verify}${s.ssl.cacert ? ` (CA ${s.ssl.cacert})` : ""}`,
    `  account:    ${s.user}, password ${s.password === "" ? "(empty)" : s.password}`,
    `  sender:     ${JSON.stringify(r.sender.name)} <${r.sender.address}>`,
    `  to:         ${r.recipients.to.join(", ")}`,
  ];
  if (r.recipients.cc.length) lines.push(`  cc:         ${r.recipients.cc.join(", ")}`);
  if (r.recipients.bcc.length) lines.push(`  bcc:        ${r.recipients.bcc.join(", ")}`);
  const n = r.network;
  lines.push(`  network:    apn ${JSON.stringify(n.apn)}${n.user ? `, user ${n.user}, password ${n.password}` : ""}, auth ${n.auth}, context ${n.context}`);
  for (const i of r.alarm.inputs) {
    lines.push(
      `  input:      ${i.key} ${JSON.stringify(i.title)} pin ${i.pin} active ${i.activeLevel}, debounce ${i.debounceMs} ms` +
        `${i.notifyClear ? ", mails on clear" : ""}${i.raiseAtStart ? "" : ", not raised at start"}`,
    );
  }
  const a = r.alarm;
  lines.push(
    `  alarm:      coalesce ${a.coalesceSeconds} s, ${a.perRecipientPerHour} mails/hour per recipient, idle ${a.idleMinutes} min, ` +
      `heartbeat ${a.heartbeatHours ? `${a.heartbeatHours} h` : "off"}, outbox ${a.outboxSize}, ${a.maxAttempts} attempts`,
  );
  return lines;
}

export function runConfig(file: string, opts: ConfigOptions): number {
  const out = (l = "") => process.stdout.write(l + "\n");
  if (opts.compact && opts.espruino) {
    process.stderr.write("cellmail config: give --compact or --espruino, not both\n");
    return 2;
  }
  const raw = readJson(file);
  if (!opts.compact && !opts.espruino) {
    const v = validateConfig(raw);
    if (v.config === null) {
      printProblems(file, v.errors);
      return 2;
    }
    out(`${file}: configuration OK`);
    for (const l of summaryLines(v.config)) out(l);
    const limits = toCompact(raw).errors;
    if (limits.length) out(`  compact profile (Espruino): not usable: ${limits.map((e) => e.field).join(", ")} (see cellmail config --compact)`);
    return 0;
  }
  const r = toCompact(raw);
  if (r.config === null) {
    printProblems(file, r.errors);
    return 2;
  }
  if (opts.compact) out(compactJson(r.config));
  else {
    out(
      espruinoCommand(r.config, { port: opts.port, ...boardSettings(opts) }),
    );
  }
  return 0;
}

function parsePin(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new InvalidArgumentError("expected a pin number 0..255");
  return n;
}

/**
 * The Espruino board's settings as options (lteSerial, lteRx, lteTx, lteBaud, lteDevice,
 * and the console's rate): `config --espruino` and `flash espruino` take the same ones.
 */
export function addEspruinoBoardOptions(command: Command, prefix = ""): Command {
  return command
    .addOption(new Option("--serial <n>", `${prefix}the Espruino UART the module is on (lteSerial)`).choices(["1", "2"]).default("2"))
    .option("--rx <pin>", `${prefix}the UART's RX pin (lteRx; default: the UART's own)`, parsePin)
    .option("--tx <pin>", `${prefix}the UART's TX pin (lteTx; default: the UART's own)`, parsePin)
    .option("-b, --baud <rate>", `${prefix}the module's baud rate (lteBaud)`, parseIntArg, 115200)
    .option("--device <path>", `${prefix}Espruino on Linux (a Raspberry Pi): the module's serial device file, e.g. /dev/ttyUSB0 (lteDevice)`)
    .option("--console-baud <rate>", `${prefix}the baud rate of the board's console`, parseIntArg, 115200);
}

/** The board options as settings (commander gives --serial as a string). */
export function boardSettings(opts: Omit<ConfigOptions, "port">): Omit<EspruinoSettings, "port"> {
  return { serial: Number(opts.serial), rx: opts.rx, tx: opts.tx, baud: opts.baud, device: opts.device, consoleBaud: opts.consoleBaud };
}

export function configCommand(): Command {
  const command = new Command("config")
    .description("check a configuration file with the full validator; write the compact form for Espruino")
    .argument("<file>", "the configuration (JSON, docs/configuration.md)")
    .option("--compact", "print the validated configuration in the compact profile's form (JSON, with the passwords)")
    .option("--espruino", "print an `espruino` command line that writes cellmail.json (hardware settings + compact configuration) to Storage")
    .option("-p, --port <path>", "--espruino: the Espruino board's serial port", "/dev/ttyUSB0");
  return addEspruinoBoardOptions(command, "--espruino: ").action((file: string, opts: ConfigOptions) => {
    process.exitCode = runConfig(file, opts);
  });
}
