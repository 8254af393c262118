// `cellmail send --port PATH --config FILE`: the same firmware core drives a real module
// (or `cellmail modem --pty`) through `serialport`, via the runner's runLive
// (host-sim/runner/live.ts). Prints progress as it happens, then the outcome with a
// human-readable cause and a hint, and where the transcript went. Exit 0 when delivered.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import type { SessionEvent } from "../runner/types.js";
import { collect, fmtTime, parseIntArg, stamp, writeOutput } from "./common.js";

export interface SendOptions {
  port: string;
  baud: number;
  config: string;
  to: string[];
  subject?: string;
  body?: string;
  attach: string[];
  transcript?: string;
  json?: boolean;
}

/** What runLive is agreed to take and return (host-sim/runner/live.ts). */
export interface LiveOptions {
  port: string;
  baud: number;
  config: unknown;
  mail: { to: string[]; subject: string; body: string; attachments: { name: string; path: string }[] };
  onEvent?: (e: SessionEvent) => void;
}
export interface LiveResult {
  ok: boolean;
  code: number;
  cause: string;
  events: SessionEvent[];
  transcript: string;
}

/** A short hint for the causes people meet first with a real board. */
export function hintFor(code: number, cause: string): string | undefined {
  const c = cause.toLowerCase();
  if (/enoent|no such file/.test(c)) return "the serial device does not exist: check --port (ls /dev/ttyUSB* /dev/ttyACM*)";
  if (/eacces|permission denied/.test(c)) return "no permission on the serial device: add yourself to the dialout group";
  if (/ebusy|resource busy|lock/.test(c)) return "another program has the serial device open";
  if (code === 1020 || code === 1034) return "the module did not answer: is it powered (PWRKEY), wired TX->RX / RX->TX / GND, and at this --baud?";
  if (code === 1028 || (code >= 10 && code <= 13)) return "SIM problem: is a SIM inserted, unlocked and seated?";
  if (code === 1029) return "not registered on the network: antenna, coverage, or a SIM without data service";
  if (code === 1039) return "the network denied registration: a SIM without service on this network (activation, roaming, a blocked IMEI)";
  if (code === 1030 || code === 1031) return "the data connection failed: check network.apn in the configuration";
  if (code === 653) return "DNS failed: check smtp.server";
  if (code === 654) return "could not connect: check smtp.server and smtp.port, and that the provider allows this port";
  if (code === 665) return "TLS failed: check smtp.ssl (type; cacert when verify is on)";
  if (code === 677 || /\b535\b/.test(c)) return "the server refused the login: check smtp.user and smtp.password";
  if (code >= 1001 && code <= 1011) return "the mail or configuration is invalid (see the cause)";
  return undefined;
}

/** recipients.to of the configuration file, when --to is not given. */
function configRecipients(config: unknown): string[] {
  const r = (config as { recipients?: { to?: unknown } } | null)?.recipients?.to;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === "string") : [];
}

function readConfig(file: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

export async function runSend(opts: SendOptions): Promise<number> {
  const out = (l = "") => process.stdout.write(l + "\n");
  if (opts.port.startsWith("/") && !existsSync(opts.port)) {
    out(`failed: serial device ${opts.port}: no such file`);
    out(`hint: ${hintFor(0, "ENOENT")}`);
    if (opts.json) out(JSON.stringify({ ok: false, code: 0, cause: `no such device: ${opts.port}`, transcript: null }));
    return 1;
  }
  const config = readConfig(path.resolve(opts.config));
  const attachments = opts.attach.map((p) => {
    const abs = path.resolve(p);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new Error(`attachment not found: ${p}`);
    return { name: path.basename(abs), path: abs };
  });
  const mail = {
    to: opts.to.length ? opts.to : configRecipients(config),
    subject: opts.subject ?? "cellmail test mail",
    body: opts.body ?? `Test mail sent with cellmail send at ${new Date().toISOString()}.`,
    attachments,
  };
  out(`cellmail send: ${opts.port} at ${opts.baud} baud, config ${opts.config}`);
  out(`  to: ${mail.to.join(", ") || "(none)"}; subject: ${JSON.stringify(mail.subject)}`);
  const live = (await import("../runner/live.js")) as unknown as { runLive(o: LiveOptions): Promise<LiveResult> };
  let result: LiveResult;
  try {
    result = await live.runLive({ port: opts.port, baud: opts.baud, config, mail, onEvent: (e) => out(`${fmtTime(e.t)}  ${e.kind.padEnd(7)} ${e.text}`) });
  } catch (e) {
    const cause = (e as Error).message;
    out(`failed: ${cause}`);
    const hint = hintFor(0, cause);
    if (hint) out(`hint: ${hint}`);
    if (opts.json) out(JSON.stringify({ ok: false, code: 0, cause, transcript: null }));
    return 1;
  }
  const transcriptPath = writeOutput(opts.transcript, `send-${stamp()}.transcript`, result.transcript ?? "");
  if (result.ok) out("delivered: the module reported +QSMTPPUT: 0,0");
  else {
    out(`failed: ${result.code}: ${result.cause}`);
    const hint = hintFor(result.code, result.cause);
    if (hint) out(`hint: ${hint}`);
  }
  out(`transcript: ${transcriptPath}`);
  if (opts.json) out(JSON.stringify({ ok: result.ok, code: result.code, cause: result.cause, transcript: transcriptPath }));
  return result.ok ? 0 : 1;
}

export function sendCommand(): Command {
  return new Command("send")
    .description("send one mail through a real module (or `cellmail modem --pty`) on a serial port")
    .requiredOption("-p, --port <path>", "serial device, e.g. /dev/ttyUSB0")
    .option("-b, --baud <rate>", "baud rate", parseIntArg, 115200)
    .requiredOption("-c, --config <file>", "JSON configuration (server, account, sender, recipients, network)")
    .option("--to <address>", "recipient (repeat for more; default: the configuration's)", collect, [])
    .option("--subject <text>", "subject")
    .option("--body <text>", "body text")
    .option("--attach <file>", "attach a file (repeat for more)", collect, [])
    .option("-t, --transcript <file>", "write the UART transcript here (default: .cellmail/transcripts/)")
    .option("--json", "print one JSON summary object as the last line")
    .action(async (opts: SendOptions) => {
      process.exitCode = await runSend(opts);
    });
}
