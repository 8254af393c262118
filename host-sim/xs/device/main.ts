// The XS-side entry of the bridge: the cellmail core inside real XS (xsnap-worker),
// driven by the simulator on Node (host-sim/xs/firmware.ts). The host bundles this file
// (host-sim/xs/bundle.ts, ES2015 iife), evaluates it, and installs `handleCommand` as the
// worker's global. Messages are described in host-sim/xs/device/platform/protocol.ts.
//
// It runs the same composition as the Node runner (host-sim/runner/node-firmware.ts):
// `new Cellmail({uart, clock, store, log, config, onJob, ...modules})`, then start(), raise(),
// mailer.submit(), alarms.failed(), stop(); job outcomes go to the host flattened the
// same way (outcomeOf). The modules are the ones OP_START names, out of those the
// composition's entry holds (moddable.ts, node.ts: each imports only what it carries).
import { Cellmail } from "../../../firmware/app/cellmail.js";
import { bytesSource } from "../../../firmware/at/source.js";
import { utf8Bytes } from "../../../firmware/text/utf8.js";
import type { Modules } from "../../../firmware/targets/app.js";
import { carried } from "../../runner/carried.js";
import { loadDevice } from "../../../firmware/ext/validate/device.js";
import type { MailResult } from "../../../firmware/mail/job.js";
import type { Attachment, MailJob } from "../../../firmware/mail/message.js";
import { ISSUE_RESULT, XsChannel } from "./platform/protocol.js";
import { XsUart } from "./platform/uart.js";
import { XsClock } from "./platform/clock.js";
import { XsStore } from "./platform/store.js";
import { createXsLog } from "./platform/log.js";
import { base64Decode } from "./platform/base64.js";

import { jobOutcome } from "../../../firmware/mail/outcome.js";
import { bridgeHandler, jsonBuffer, type BridgeFirmware } from "./bridge.js";

interface JobJson {
  id: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
  attachments?: { name: string; base64: string }[];
}

/** Everything the entry holds, built by OP_START. */
class XsFirmware implements BridgeFirmware {
  readonly channel: XsChannel;
  readonly uart: XsUart;
  readonly clock: XsClock;
  app: Cellmail | null;
  private report: (r: MailResult) => void;
  private held: Modules;

  constructor(channel: XsChannel, held: Modules) {
    this.channel = channel;
    this.held = held;
    this.uart = new XsUart(channel);
    this.clock = new XsClock(channel);
    this.app = null;
    this.report = (r: MailResult): void => {
      channel.send(ISSUE_RESULT, -1, utf8Bytes(JSON.stringify(jobOutcome(r))));
    };
  }

  start(startJson: string): void {
    const o = JSON.parse(startJson) as { config: unknown; modules: string[] };
    const m = carried(this.held, o.modules);
    this.app = new Cellmail({
      uart: this.uart,
      clock: this.clock,
      store: new XsStore(this.channel),
      log: createXsLog(this.channel),
      config: loadDevice(o.config),
      onJob: this.report,
      causes: m.causes,
      socketMail: m.socketMail,
      files: m.files,
      queue: m.queue,
      beforeStart: m.legacyOutbox,
    });
    this.app.start();
  }

  submit(jobJson: string): ArrayBuffer | undefined {
    const app = this.app as Cellmail;
    const j = JSON.parse(jobJson) as JobJson;
    const attachments: Attachment[] = [];
    const list = j.attachments || [];
    for (let i = 0; i < list.length; i++) attachments.push({ name: list[i].name, data: bytesSource(base64Decode(list[i].base64)) });
    const job: MailJob = { id: j.id, to: j.to, cc: j.cc, bcc: j.bcc, subject: j.subject, body: j.body, attachments: attachments };
    const refused = app.mailer.submit(job, this.report);
    if (!refused) return undefined;
    return jsonBuffer({ code: refused.code, cause: refused.cause, field: refused.field });
  }

  raise(alarmJson: string): void {
    (this.app as Cellmail).raise(JSON.parse(alarmJson));
  }

  stop(): void {
    if (this.app) this.app.stop();
  }

  pending(): number {
    return this.app ? this.app.alarms.queued() : 0;
  }

  failed(): ArrayBuffer {
    const app = this.app as Cellmail;
    const out: { id: number; key: string; code: number; cause: string }[] = [];
    const entries = app.alarms.failed();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      out.push({ id: e.id, key: e.key, code: e.code, cause: e.cause });
    }
    return jsonBuffer(out);
  }
}

/** The worker's handler for a composition's entry, which holds the code of the modules it carries. */
export function fullCore(held: Modules): ReturnType<typeof bridgeHandler> {
  return bridgeHandler((channel: XsChannel) => new XsFirmware(channel, held), "cellmail xs");
}
