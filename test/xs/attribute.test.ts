// The attribution tool (bench/xs-attribute.ts) counts the peak mail's slots as the bench's
// figure counts them: its rows add up to the peak less the live slots at the mail's start,
// the same number bench/xs-mail.ts measures on its own (XS meters are deterministic), and
// the slots land on the commands that made them.
import { describe, expect, it } from "vitest";
import { attributePeak } from "../../bench/xs-attribute.js";
import { measurePeak } from "../../bench/xs-mail.js";

describe("bench/xs-attribute.ts", () => {
  it("its rows add up to the bench's peak over the mail's start, command by command", async () => {
    const [a, p] = await Promise.all([attributePeak("moddable", false), measurePeak(10240, "moddable", false)]);
    expect(a.total).toBe(a.peakOverStart);
    expect(a.total).toBe(p.peakFirmwareSlots - p.liveSlotsAtStart);
    expect(a.deliveries.reduce((s, x) => s + x.slots, 0)).toBe(a.total);
    const labels = new Set(a.rows.map((r) => r.label));
    for (const c of ["AT+CPIN", "AT+QSMTPCFG", "AT+QSMTPBODY", "AT+QSMTPPUT"]) expect(labels, c).toContain(c);
    // The body's data mode: the UART taking more of the payload, under the command that opened it.
    const body = a.rows.find((r) => r.label === "AT+QSMTPBODY" && r.kind === "writable");
    expect(body?.deliveries).toBeGreaterThan(20);
  });
});
