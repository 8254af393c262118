// The error-code table in docs/error-codes.md must say what the firmware does.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeSmtpErr, newCodeInfo } from "../../firmware/ext/causes/texts.js";
import { kindName } from "../../firmware/errors.js";

const doc = readFileSync(new URL("../../docs/error-codes.md", import.meta.url), "utf8");
const rows = doc
  .split("\n")
  .map((l) => l.match(/^\| (\d{3}) \| (.*) \| (\w+) \|$/))
  .filter((m): m is RegExpMatchArray => m !== null);

describe("docs/error-codes.md", () => {
  it("lists every SMTP <err> code 651-682 once", () => {
    expect(rows.map((r) => Number(r[1]))).toEqual(Array.from({ length: 32 }, (_, i) => 651 + i));
  });

  it("gives each code the cause and kind the firmware uses", () => {
    const info = newCodeInfo();
    for (const [, code, cause, kind] of rows) {
      expect(describeSmtpErr(Number(code), info)).toBe(true);
      expect(cause).toBe(info.cause.replace(/\|/g, "/"));
      expect(kind).toBe(kindName(info.kind));
    }
  });
});
