// host-sim: the simulated EC800 behind a virtual UART, in one call.
//
//   const clock = new VirtualClock();
//   const sim = createSimulatedModem({ clock, smtp, scenario });
//   myFirmware.start(sim.uart, clock);   // sim.uart implements firmware/platform Uart
//   sim.powerOn();                       // RDY after the profile's boot delay
//   await clock.run({ until: () => done });
//   console.log(sim.transcript.render());
//
// Options: `clock` (shared with the firmware), `smtp` (the module's SmtpEngine: the real
// nodemailer engine, or a test fake), `scenario` (module behaviour, link settings,
// scripted SMTP outcomes and faults; see docs/scenarios.md), and `link` / `modem` to
// override the scenario's settings. The firmware side connects through `uart`: attach a
// UartSink, write bytes (write returns how many it took; onWritable fires when there is
// room again), and receive bytes in chunks through sink.onBytes.
// Returned: `uart`, the `link` (stats, reader pause, baud), the `modem` (Ec800: state,
// sends, stats), the `transcript` recorder, the FaultPlan, and `powerOn()`, which also
// arms the scenario's timed faults (relative to power-on).
import type { VirtualClock } from "./clock.js";
import type { Uart } from "../firmware/platform/types.js";
import type { SmtpEngine } from "./smtp/types.js";
import { UartLink, type LinkOptions } from "./uart/link.js";
import { Ec800, type Ec800Options } from "./ec800/modem.js";
import { FaultPlan } from "./ec800/faults.js";
import { pdpDeact } from "./ec800/commands/pdp.js";
import { TranscriptRecorder } from "./transcript/recorder.js";
import { moduleOptions, ScriptedSmtpEngine, type Scenario } from "./scenarios/scenario.js";

export interface SimulatedModemOptions {
  clock: VirtualClock;
  smtp: SmtpEngine;
  scenario?: Scenario;
  link?: LinkOptions;
  modem?: Partial<Omit<Ec800Options, "clock" | "link" | "smtp">>;
}

export interface SimulatedModem {
  uart: Uart;
  link: UartLink;
  modem: Ec800;
  transcript: TranscriptRecorder;
  faults: FaultPlan;
  powerOn(): void;
}

export function createSimulatedModem(options: SimulatedModemOptions): SimulatedModem {
  const { clock, scenario } = options;
  const link = new UartLink(clock, { ...(scenario?.link ?? {}), ...(options.link ?? {}) });
  const transcript = new TranscriptRecorder(link);
  if (scenario) transcript.header.scenario = scenario.name;
  const smtp = scenario?.smtp?.outcomes ? new ScriptedSmtpEngine(options.smtp, scenario.smtp.outcomes) : options.smtp;
  const fromScenario = moduleOptions(scenario);
  const modemOpts: Ec800Options = { ...fromScenario, ...(options.modem ?? {}), clock, link, smtp };
  if (modemOpts.baud) link.setModuleBaud(modemOpts.baud), link.setHostBaud(modemOpts.baud);
  const modem = new Ec800(modemOpts);
  transcript.header.baud = String(modem.currentBaud);
  const faults = modem.faults;
  let armed = false;
  const powerOn = () => {
    modem.powerOn();
    if (armed) return;
    armed = true;
    for (const f of faults.timed()) {
      if (f.kind === "reboot" && f.at === "time") clock.setTimer(f.atMs, () => modem.reboot("scheduled fault"));
      else if (f.kind === "powerDown") clock.setTimer(f.atMs, () => modem.powerDown(0));
      else if (f.kind === "urc") clock.setTimer(f.atMs, () => modem.urc(f.text, f.service ?? false));
      else if (f.kind === "pdpDeact") clock.setTimer(f.atMs, () => pdpDeact(modem, f.cid ?? 1));
      else if (f.kind === "readerStall") {
        clock.setTimer(f.atMs, () => link.setReaderPaused(true));
        clock.setTimer(f.atMs + f.forMs, () => link.setReaderPaused(false));
      }
    }
  };
  return { uart: link.uart, link, modem, transcript, faults, powerOn };
}

export { UartLink } from "./uart/link.js";
export { Ec800 } from "./ec800/modem.js";
export { FaultPlan } from "./ec800/faults.js";
export { TranscriptRecorder } from "./transcript/recorder.js";
export { TranscriptReplayer } from "./transcript/replay.js";
export { parseTranscript, renderTranscript } from "./transcript/format.js";
export { parseScenario, loadScenario, validateScenario, bundledScenarios } from "./scenarios/scenario.js";
export { qfuplChecksum } from "./ec800/checksum.js";
