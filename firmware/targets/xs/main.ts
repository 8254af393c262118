// The XS-side entry of the bridge: the cellmail core inside real XS (xsnap-worker),
// driven by the simulator on Node (host-sim/xs/firmware.ts). The host bundles this file
// (host-sim/xs/bundle.ts, ES2015 iife), evaluates it, and installs `handleCommand` as the
// worker's global. Messages are described in firmware/platform/xs-bridge/protocol.ts.
//
// It runs the same composition as the Node runner (host-sim/runner/node-firmware.ts):
// `new Cellmail({uart, clock, store, log, config, onJob})`, then start(), raise(),
// mailer.submit(), alarms.failed(), stop(); job outcomes go to the host flattened the
// same way (outcomeOf).
import { Cellmail } from "../../app/cellmail.js";
import { bytesSource } from "../../at/source.js";
import { utf8Bytes, utf8Decode } from "../../text/utf8.js";
import { loadConfig } from "../../config/validate.js";
import type { MailResult } from "../../mail/job.js";
import type { Attachment, MailJob } from "../../mail/message.js";
import {
  ISSUE_RESULT,
  OP_BYTES,
  OP_FAILED,
  OP_GC,
  OP_RAISE,
  OP_START,
  OP_STOP,
  OP_SUBMIT,
  OP_TIMER,
  OP_WRITABLE,
  PAYLOAD,
  readU32,
  XsChannel,
} from "../../platform/xs-bridge/protocol.js";
import { XsUart } from "../../platform/xs-bridge/uart.js";
import { XsClock } from "../../platform/xs-bridge/clock.js";
import { XsMemoryStore } from "../../platform/xs-bridge/store.js";
import { createXsLog } from "../../platform/xs-bridge/log.js";
import { base64Decode } from "../../platform/xs-bridge/base64.js";

import { jobOutcome } from "../../mail/outcome.js";

declare function gc(): void;

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
class XsFirmware {
  readonly channel: XsChannel;
  readonly uart: XsUart;
  readonly clock: XsClock;
  app: Cellmail | null;
  private report: (r: MailResult) => void;

  constructor(channel: XsChannel) {
    this.channel = channel;
    this.uart = new XsUart(channel);
    this.clock = new XsClock(channel);
    this.app = null;
    this.report = (r: MailResult): void => {
      channel.send(ISSUE_RESULT, -1, utf8Bytes(JSON.stringify(jobOutcome(r))));
    };
  }

  start(configJson: string): void {
    this.app = new Cellmail({
      uart: this.uart,
      clock: this.clock,
      store: new XsMemoryStore(),
      log: createXsLog(this.channel),
      config: loadConfig(JSON.parse(configJson)),
      onJob: this.report,
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

function jsonBuffer(value: unknown): ArrayBuffer {
  return utf8Bytes(JSON.stringify(value)).buffer as ArrayBuffer;
}

function payloadText(u: Uint8Array): string {
  return utf8Decode(u, PAYLOAD, u.length);
}

let firmware: XsFirmware | null = null;

/** The worker calls this for every delivery from the host. */
export function handleCommand(message: ArrayBuffer): ArrayBuffer | undefined {
  const u = new Uint8Array(message);
  const op = u[0];
  if (op === OP_GC) {
    gc();
    return undefined;
  }
  if (firmware === null) firmware = new XsFirmware(new XsChannel());
  const fw = firmware;
  fw.channel.takeTime(u);
  switch (op) {
    case OP_BYTES:
      fw.uart.deliverBytes(u, PAYLOAD, u.length);
      return undefined;
    case OP_TIMER:
      fw.clock.fire(readU32(u, PAYLOAD));
      return undefined;
    case OP_WRITABLE:
      fw.uart.deliverWritable();
      return undefined;
    case OP_START:
      fw.start(payloadText(u));
      return undefined;
    case OP_RAISE:
      (fw.app as Cellmail).raise(JSON.parse(payloadText(u)));
      return undefined;
    case OP_SUBMIT:
      return fw.submit(payloadText(u));
    case OP_FAILED:
      return fw.failed();
    case OP_STOP:
      if (fw.app) fw.app.stop();
      return undefined;
  }
  throw new Error("cellmail xs: unknown op " + op);
}
