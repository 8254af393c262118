// Runs the core in this Node process against the simulated module: the same
// createCellmail composition a board runs, with an in-memory Store.
import { Cellmail } from "../../firmware/app/cellmail.js";
import { bytesSource } from "../../firmware/at/source.js";
import { socketMail } from "../../firmware/targets/socket-mail.js";
import { ufsFiles } from "../../firmware/ext/upload/files.js";
import { causeTexts } from "../../firmware/ext/causes/texts.js";
import { commandQueue } from "../../firmware/ext/queue/queue.js";
import { migrateOutbox } from "../../firmware/ext/legacy-outbox/migrate.js";
import type { Modules } from "../../firmware/targets/app.js";
import { carried } from "./carried.js";
import { MODULE_NAMES } from "./compositions.js";
import { loadDevice } from "../../firmware/ext/validate/device.js";
import { jobOutcome } from "../../firmware/mail/outcome.js";
import type { Store } from "../../firmware/platform/types.js";
import type { FirmwareHost, FirmwareStartOptions, JobOutcome, JobSpec, AlarmSpec } from "./firmware.js";

export class MemoryStore implements Store {
  private data: Record<string, Uint8Array> = {};
  read(key: string): Uint8Array | undefined {
    const v = this.data[key];
    return v ? v.slice() : undefined;
  }
  write(key: string, value: Uint8Array): void {
    this.data[key] = value.slice();
  }
  remove(key: string): void {
    delete this.data[key];
  }
  keys(): string[] {
    return Object.keys(this.data);
  }
}

/** Every optional module's code, as the compositions' targets compose it (firmware/targets/). */
export const EVERY_MODULE: Modules = { causes: causeTexts(), socketMail, files: ufsFiles, queue: commandQueue, legacyOutbox: migrateOutbox };

/** A finished job as plain data (the same shape the XS bridge reports). */
export const outcomeOf = jobOutcome;

export class NodeFirmware implements FirmwareHost {
  readonly engine = "node" as const;
  readonly core = "full" as const;
  readonly app: Cellmail;
  /** The board's flash (the fleet reads what is left in the outbox from here). */
  readonly store: Store;
  private done: JobOutcome[] = [];
  private onOutcome: (o: JobOutcome) => void;

  constructor(o: FirmwareStartOptions) {
    this.store = o.store;
    this.onOutcome = o.onOutcome;
    const config = loadDevice(o.config);
    // The modules the composition carries, out of every one.
    const m = carried(EVERY_MODULE, o.modules ?? MODULE_NAMES);
    this.app = new Cellmail({
      uart: o.uart,
      clock: o.clock,
      store: this.store,
      log: o.log,
      config,
      causes: m.causes,
      socketMail: m.socketMail,
      files: m.files,
      queue: m.queue,
      beforeStart: m.legacyOutbox,
      onJob: (r) => {
        const out = outcomeOf(r);
        this.done.push(out);
        o.onOutcome(out);
      },
    });
    this.app.start();
  }

  async raise(alarm: AlarmSpec): Promise<void> {
    this.app.raise(alarm);
  }

  async submit(job: JobSpec): Promise<{ code: number; cause: string; field: string } | null> {
    const refused = this.app.mailer.submit(
      {
        id: job.id,
        to: job.to,
        cc: job.cc,
        bcc: job.bcc,
        subject: job.subject,
        body: job.body,
        attachments: (job.attachments ?? []).map((a) => ({ name: a.name, data: bytesSource(Buffer.from(a.base64, "base64")) })),
      },
      (r) => {
        const out = outcomeOf(r);
        this.done.push(out);
        this.onOutcome(out);
      },
    );
    return refused ? { code: refused.code, cause: refused.cause, field: refused.field } : null;
  }

  outcomes(): JobOutcome[] {
    return this.done.slice();
  }

  async failedAlarms(): Promise<{ id: number; key: string; code: number; cause: string }[]> {
    return this.app.alarms.failed();
  }

  pendingAlarms(): number {
    return this.app.alarms.queued();
  }

  async stop(): Promise<void> {
    this.app.stop();
  }

  kill(): void {}
}
