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

describe("docs/error-codes.md: the socket SMTP client's own codes", () => {
  const own = doc
    .split("\n")
    .map((l) => l.match(/^\| (\d{4}) \| (E_\w+) \| .* \| (.*) \|$/))
    .filter((m): m is RegExpMatchArray => m !== null);

  it("lists every E_* code of 1050-1059 in firmware/errors.ts with its value", async () => {
    const errors = (await import("../../firmware/errors.js")) as unknown as Record<string, unknown>;
    const inCode = Object.entries(errors)
      .filter(([k, v]) => k.startsWith("E_") && typeof v === "number" && v >= 1050 && v < 1060)
      .map(([k, v]) => `${v} ${k}`)
      .sort();
    expect(own.map((m) => `${m[1]} ${m[2]}`).sort()).toEqual(inCode);
    expect(inCode.length).toBeGreaterThan(0);
  });
});
