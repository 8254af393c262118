// The HTML report as text: self-contained (no external resources), escaped, and with the
// parts people look for: outcome, mails, errors, state durations, retries, and a
// timeline holding UART traffic in both directions next to the runner's events.
import { describe, expect, it } from "vitest";
import { renderReport, stateDurations } from "../../host-sim/report/index.js";
import { fixtureResult } from "./report-fixture.js";

describe("renderReport", () => {
  const html = renderReport(fixtureResult(), { generatedAt: new Date("2026-01-02T03:04:05Z") });

  it("is one self-contained page", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it("shows the outcome, the facts and the mail, escaped", () => {
    expect(html).toContain("<title>cellmail session: fixture</title>");
    expect(html).toMatch(/id="outcome" class="outcome ok">OK/);
    expect(html).toContain("Alarm: &lt;door&gt; &amp; &quot;gate&quot;");
    expect(html).not.toContain("<door>");
    expect(html).toContain("log.csv (3000 B)");
    expect(html).toContain("/tmp/mail/0001-x.eml");
    expect(html).toContain("2026-01-02T03:04:05.000Z");
  });

  it("has a timeline with both directions, notes and events in time order", () => {
    const kinds = Array.from(html.matchAll(/<tr class="row ([a-z-]+)"/g)).map((m) => m[1]);
    expect(kinds).toContain("tx");
    expect(kinds).toContain("rx");
    expect(kinds).toContain("note");
    expect(kinds).toContain("ev-state");
    expect(kinds).toContain("ev-retry");
    const times = Array.from(html.matchAll(/<tr class="row [a-z-]+" data-kind="[a-z-]+"><td class="num">([\d.]+)</g)).map((m) => Number(m[1]));
    expect(times.length).toBe(kinds.length);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(html).toContain('AT+QSMTPCFG=&quot;account&quot;,&quot;alarm@example.com&quot;,&quot;***&quot;\\r');
  });

  it("computes state durations up to the next state (the last to the end)", () => {
    const d = stateDurations(fixtureResult().events, 14000);
    expect(d.map((x) => x.ms)).toEqual([3400, 9000.5 - 3400, 14000 - 9000.5]);
    expect(html).toMatch(/module ready: rssi 25, reg 1<\/td><td class="num">3400\.000<\/td><td class="num">5\.60\d s/);
  });

  it("shows a failure with its causes and unmet expectations", () => {
    const bad = renderReport(
      fixtureResult({ ok: false, delivered: 0, failed: 1, mails: [], errors: [{ code: 677, cause: "authentication failed (535)" }], expectFailures: ["expected 1 mail, got 0"] }),
    );
    expect(bad).toMatch(/class="outcome fail">FAILED/);
    expect(bad).toContain("<code>677</code> authentication failed (535)");
    expect(bad).toContain("expected 1 mail, got 0");
    expect(bad).toContain("No mail arrived.");
  });

  it("survives an unreadable transcript", () => {
    const odd = renderReport(fixtureResult({ transcript: "this is not a transcript" }));
    expect(odd).toContain("The transcript could not be read");
    expect(odd).toMatch(/<tr class="row ev-state"/);
  });
});
