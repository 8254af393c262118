// `cellmail modem --pty`: serve the simulated EC800 on a real pseudo-terminal, in real
// time, until SIGINT/SIGTERM. Prints the device path first (a line "device: <link> ->
// <device>"), then the mail server(s) behind it, then progress. Any program can open the
// device as if it were a module on a USB-UART adapter, close it and open it again.
import path from "node:path";
import { Command } from "commander";
import { PtyModemServer, saveText } from "./modem-server.js";
import { parseHostPort, readScenario, stamp, workDir } from "./common.js";

interface ModemOptions {
  pty?: boolean;
  link?: string;
  scenario?: string;
  smtp?: { host: string; port: number };
  mailDir?: string;
  trace?: boolean;
  transcript?: string | boolean;
}

export async function runModem(opts: ModemOptions): Promise<number> {
  const log = (line: string) => process.stdout.write(line + "\n");
  if (!opts.pty) {
    process.stderr.write("cellmail modem: only --pty is supported (serve the simulated module on a pseudo-terminal)\n");
    return 2;
  }
  const scenario = opts.scenario ? readScenario(opts.scenario).scenario : undefined;
  const mailDir = opts.smtp ? undefined : opts.mailDir ? path.resolve(opts.mailDir) : workDir("mail");
  const server = await PtyModemServer.start({ link: opts.link, scenario, smtp: opts.smtp, mailDir, log, trace: opts.trace });
  log(`device: ${server.clientLink} -> ${server.device}`);
  log(`pty: made by socat (pid ${server.socatPid ?? "?"})`);
  if (scenario) log(`scenario: ${scenario.name}`);
  if (opts.smtp) log(`smtp: every AT+QSMTPPUT goes to ${opts.smtp.host}:${opts.smtp.port}`);
  else {
    const { plain, implicit } = server.mailServers;
    log(`smtp: embedded mail server on 127.0.0.1:${plain!.port} (plain/STARTTLS) and 127.0.0.1:${implicit!.port} (implicit TLS)`);
    log(`smtp: every AT+QSMTPPUT is delivered there, whatever server the client configured (no AUTH needed)`);
    log(`mail dir: ${server.mailDir}`);
    if (server.caPem && server.mailDir) {
      const ca = path.join(server.mailDir, "ca.pem");
      saveText(ca, server.caPem);
      log(`ca: ${ca} (for clients that verify the server: seclevel 1)`);
    }
  }
  log(`baud: ${server.sim.modem.currentBaud}; serving in real time, stop with Ctrl-C`);

  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      log(`${sig}: stopping`);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  const transcript = server.transcript();
  await server.stop();
  if (opts.transcript) {
    const file = typeof opts.transcript === "string" ? path.resolve(opts.transcript) : path.join(workDir("transcripts"), `modem-${stamp()}.transcript`);
    saveText(file, transcript);
    log(`transcript: ${file}`);
  }
  return 0;
}

export function modemCommand(): Command {
  return new Command("modem")
    .description("serve the simulated EC800 on a pseudo-terminal, in real time, until stopped")
    .option("--pty", "serve on a pseudo-terminal (made with socat)")
    .option("-l, --link <path>", "symlink to create for the device (default: a temp path)")
    .option("-s, --scenario <file>", "module behaviour from this scenario (file or bundled name)")
    .option("--smtp <host:port>", "deliver to this SMTP server instead of the embedded one", parseHostPort)
    .option("--mail-dir <dir>", "where the embedded server stores .eml files (default: .cellmail/mail)")
    .option("--trace", "print the UART traffic as it passes")
    .option("-t, --transcript [file]", "write the UART transcript when stopped (default: .cellmail/transcripts/)")
    .action(async (opts: ModemOptions) => {
      process.exitCode = await runModem(opts);
    });
}
