// firmware/ext/upload is optional (issue 12): a core without it refuses what needs a file on
// the module, with a typed configuration error naming the field, before anything is sent;
// with it the same job and the same configuration go through.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { Mailer } from "../../firmware/mail/mailer.js";
import { bytesSource } from "../../firmware/at/source.js";
import { E_CONFIG, KIND_CONFIG, type CellError } from "../../firmware/errors.js";
import { ufsFiles } from "../../firmware/ext/upload/files.js";
import { ScriptPort } from "../mail/support/script-port.js";
import { config, job } from "../mail/support/fixtures.js";

const withAttachment = { attachments: [{ name: "log.txt", data: bytesSource(new Uint8Array([65, 66, 67])) }] };
const ca = { caCert: { name: "ca.pem", data: bytesSource(new Uint8Array([45, 45, 45])) } };

function mailer(files: boolean, extra?: object): Mailer {
  const clock = new VirtualClock(0);
  return new Mailer(new ScriptPort(clock), clock, config(extra as never), files ? { files: ufsFiles } : {});
}

describe("without firmware/ext/upload", () => {
  it("a job with attachments is refused at submit: KIND_CONFIG, field attachments, nothing queued", () => {
    const m = mailer(false);
    const e = m.submit(job(withAttachment), () => {
      throw new Error("a refused job is never reported");
    });
    expect(e).not.toBeNull();
    expect(e!.kind).toBe(KIND_CONFIG);
    expect(e!.code).toBe(E_CONFIG);
    expect(e!.field).toBe("attachments");
    expect(e!.cause).toMatch(/no file upload/);
    expect(m.queued()).toBe(0);
    expect(m.submit(job({}), () => {})).toBeNull(); // a job without attachments is taken
  });

  it("a configuration with a CA certificate is refused when the Mailer is made: KIND_CONFIG, field caCert", () => {
    let thrown: CellError | null = null;
    try {
      mailer(false, ca);
    } catch (e) {
      thrown = e as CellError;
    }
    expect(thrown).not.toBeNull();
    expect(thrown!.kind).toBe(KIND_CONFIG);
    expect(thrown!.field).toBe("caCert");
    expect(thrown!.cause).toMatch(/ssl\.ca: .*no file upload/);
  });
});

describe("with firmware/ext/upload", () => {
  it("the same job and the same configuration are taken", () => {
    const m = mailer(true, ca);
    expect(m.modem.files).not.toBeNull();
    expect(m.submit(job(withAttachment), () => {})).toBeNull();
  });
});
