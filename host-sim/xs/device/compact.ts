// The XS-side entry of the bridge for the compact core (the espruino composition): the compact core
// (firmware/compact, what the Espruino target starts) inside real XS (xsnap-worker),
// driven by the simulator on Node (host-sim/xs/firmware.ts with core "compact").
// Same messages as the full core's entry (main.ts, host-sim/xs/device/platform/
// protocol.ts); what differs is what their payloads carry:
//
//   OP_START   the device record as the host wrote it (toCompact + compactJson, pure ASCII
//              JSON, what `cellmail config --compact` stores on a board); the core checks
//              its format and check itself, and a refused one throws (the host reports it)
//   OP_RAISE   {key, title, text}                    -> CompactApp.raise
//   OP_SUBMIT  {id, to, cc, bcc, subject, body}      -> mailer.send; reply {code} when refused
//              (attachments never cross: the host refuses them before, E_ATTACHMENTS)
//   OP_FAILED  reply: outbox.failed() as JSON [{id, key, code}]
//   ISSUE_RESULT  {id, o}: the job id ("m1", or "a<outbox id>" for alarm mails) and the
//              CompactOutcome as the core reported it; the host adds cause texts and times
//              (host-sim/runner/compact-firmware.ts), exactly as for a Node run
//
// It composes the app exactly as firmware/targets/espruino/main.ts does, with the bridge's
// Uart, Clock, Store and Log in place of Espruino's, and no inputs.
import type { OutboxOutcome } from "../../../firmware/alarm/types.js";
import { createCompactApp, type CompactApp } from "../../../firmware/compact/app.js";
import { createByteFraming } from "../../../firmware/compact/frame-bytes.js";
import type { CompactOutcome } from "../../../firmware/compact/types.js";
import { utf8Bytes } from "../../../firmware/text/utf8.js";
import { ISSUE_RESULT, XsChannel } from "./platform/protocol.js";
import { XsUart } from "./platform/uart.js";
import { XsClock } from "./platform/clock.js";
import { XsStore } from "./platform/store.js";
import { createXsLog } from "./platform/log.js";
import { bridgeHandler, jsonBuffer, type BridgeFirmware } from "./bridge.js";

interface MailJson {
  id: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
}

interface AlarmJson {
  key: string;
  title: string;
  text?: string;
}

/** Everything the entry holds, built by OP_START. */
class XsCompactFirmware implements BridgeFirmware {
  readonly channel: XsChannel;
  readonly uart: XsUart;
  readonly clock: XsClock;
  app: CompactApp | null;

  constructor(channel: XsChannel) {
    this.channel = channel;
    this.uart = new XsUart(channel);
    this.clock = new XsClock(channel);
    this.app = null;
  }

  report(id: string, o: OutboxOutcome): void {
    this.channel.send(ISSUE_RESULT, -1, utf8Bytes(JSON.stringify({ id: id, o: o })));
  }

  start(configJson: string): void {
    const app = createCompactApp({
      framing: createByteFraming(this.uart),
      clock: this.clock,
      store: new XsStore(this.channel),
      log: createXsLog(this.channel),
      config: JSON.parse(configJson),
      onSent: (id: number, o: OutboxOutcome) => this.report("a" + id, o),
    });
    if (app.error) throw new Error("cellmail xs (compact): configuration refused, error " + app.error);
    this.app = app;
    app.start();
  }

  submit(jobJson: string): ArrayBuffer | undefined {
    const app = this.app as CompactApp;
    const j = JSON.parse(jobJson) as MailJson;
    const id = j.id;
    const code = (app.mailer as NonNullable<CompactApp["mailer"]>).send(
      { to: j.to, cc: j.cc || [], bcc: j.bcc || [], subject: j.subject, body: j.body },
      (o: CompactOutcome) => this.report(id, o),
    );
    return code ? jsonBuffer({ code: code }) : undefined;
  }

  raise(alarmJson: string): void {
    const a = JSON.parse(alarmJson) as AlarmJson;
    (this.app as CompactApp).raise(a.key, a.title, a.text);
  }

  pending(): number {
    return this.app && this.app.outbox ? this.app.outbox.queued() : 0;
  }

  failed(): ArrayBuffer {
    const outbox = this.app ? this.app.outbox : null;
    return jsonBuffer(outbox ? outbox.failed() : []);
  }

  stop(): void {
    if (this.app) this.app.stop();
  }
}

/** The worker calls this for every delivery from the host. */
export const handleCommand = bridgeHandler((channel: XsChannel) => new XsCompactFirmware(channel), "cellmail xs (compact)");
