// Files on the module (UFS), for what the module's SMTP engine reads from them: attachments
// (AT+QSMTPATT names a file) and the CA certificate of seclevel 1. An optional module on
// the modem layer: a composition that carries it hands it to the driver (Ec800.files);
// without it the core refuses attachments at submit and a CA in the configuration.
//
//   upload   AT+QFUPL="UFS:<name>",<size>,<timeout>,1: CONNECT, the bytes in ack mode (the
//            module answers 'A' after every 1024), then +QFUPL: <size>,<xor16 hex>; ours is
//            compared with the module's (./checksum.ts): a mismatch deletes the file and
//            uploads it again, 3 tries in all; an existing file (407) is deleted and replaced
//   remove   AT+QFDEL="UFS:<name>"; a missing file (405) counts as removed
//
// Commands run through the driver (Ec800.run), so they count, log and end with its boot
// like its own.
import type { ByteSource } from "../../at/types.js";
import { SHAPE_NONE, SHAPE_PROMPT } from "../../at/types.js";
import { cellError, KIND_RETRYABLE, E_CHECKSUM } from "../../errors.js";
import type { Done, Ec800, ModuleFiles } from "../../modem/ec800.js";
import { AT_FIELD_MAX, quoteAt } from "../../modem/quote.js";
import { once, step, T_SHORT, type Step } from "../../modem/steps.js";
import { LOG_WARN } from "../../platform/types.js";
import { xor16Source } from "./checksum.js";

const UPLOAD_TRIES = 3;

/**
 * Ack mode: one 'A' from the module after every 1024 bytes; ends with +QFUPL: <size>,<xor16 hex>.
 * Written once: its own loop (UPLOAD_TRIES) deletes the file and uploads it again.
 */
export function uploadStep(ufsName: string, size: number, timeoutS: number): Step {
  return once(step("+QFUPL=" + quoteAt(ufsName, AT_FIELD_MAX, "file") + "," + size + "," + timeoutS + ",1", SHAPE_PROMPT, "+QFUPL:", timeoutS * 1000 + 5000));
}

export function deleteFileStep(ufsName: string): Step {
  return step("+QFDEL=" + quoteAt(ufsName, AT_FIELD_MAX, "file"), SHAPE_NONE, "", T_SHORT);
}

/** Upload timeout for AT+QFUPL in seconds (the module's wait for data). */
function uploadTimeoutS(size: number): number {
  return 10 + Math.floor(size / 4000);
}

export class UfsFiles implements ModuleFiles {
  /** QFUPL checksum mismatches seen (each followed by a re-upload). */
  checksumMismatches: number;
  private readonly driver: Ec800;
  private readonly scratch: Uint8Array;

  constructor(driver: Ec800) {
    this.driver = driver;
    this.checksumMismatches = 0;
    this.scratch = new Uint8Array(256);
  }

  upload(name: string, src: ByteSource, done: Done): void {
    this.put(this.driver.generation(), "UFS:" + name, src, 1, done);
  }

  remove(name: string, done: Done): void {
    this.driver.run(deleteFileStep("UFS:" + name), null, null, 0, (err) => done(err && err.code === 405 ? null : err));
  }

  private put(g: number, ufs: string, src: ByteSource, attempt: number, done: Done): void {
    const d = this.driver;
    let size = -1;
    let ck = -1;
    const retry = () => {
      d.run(deleteFileStep(ufs), null, null, 0, () => {
        if (g !== d.generation()) return done(d.cancelled());
        this.put(g, ufs, src, attempt + 1, done);
      });
    };
    d.run(uploadStep(ufs, src.length, uploadTimeoutS(src.length)), (line) => {
      size = line.int(0, -1);
      ck = line.hex(1, -1);
    }, src, 1024, (err) => {
      if (err && err.code === 407 && attempt < UPLOAD_TRIES && g === d.generation()) return retry();
      if (err) return done(err);
      const expected = xor16Source(src, this.scratch);
      if (size === src.length && ck === expected) return done(null);
      this.checksumMismatches++;
      d.note(LOG_WARN, "upload " + ufs + ": module has " + size + "," + ck.toString(16) + ", sent " + src.length + "," + expected.toString(16));
      if (attempt >= UPLOAD_TRIES || g !== d.generation()) {
        return done(cellError(KIND_RETRYABLE, E_CHECKSUM, "upload of " + ufs + " corrupted " + attempt + " times (checksum)", ""));
      }
      retry();
    });
  }
}

/** The module as a composition hands it to the core (Modules.files). */
export function ufsFiles(driver: Ec800): ModuleFiles {
  return new UfsFiles(driver);
}
