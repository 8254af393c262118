// The mail bench keys (bench/sim-mail.ts) measured on the paced simulator, held to their
// targets: the next mail on a boot takes at most 6 AT commands, and a maximum-size body
// keeps the 115200-baud line at least 95 % busy during the QSMTPBODY data phase. Virtual
// time only: the figures are deterministic.
import { describe, expect, it } from "vitest";
import { simMailFigures, SIM_MAIL_TARGETS } from "../../bench/sim-mail.js";
import { simSocketFigures, SIM_SOCKET_TARGETS } from "../../bench/sim-socket.js";

describe("e2e: bench figures of the mail path", () => {
  it("commandsNext <= 6, bodyLineRateUtilisation >= 0.95, first mail plausible", async () => {
    const f = await simMailFigures();
    expect(f["sim.mail.commandsNext"]).toBeLessThanOrEqual(SIM_MAIL_TARGETS.commandsNext);
    expect(f["sim.mail.commandsNext"]).toBeGreaterThanOrEqual(4); // DST, SUB, BODY, PUT at the least
    expect(f["sim.mail.bodyLineRateUtilisation"]).toBeGreaterThanOrEqual(SIM_MAIL_TARGETS.bodyLineRateUtilisation);
    expect(f["sim.mail.bodyLineRateUtilisation"]).toBeLessThanOrEqual(1); // faster than the wire would be a measurement bug
    expect(f["sim.mail.commandsFirst"]).toBeGreaterThan(f["sim.mail.commandsNext"]);
    // Bring-up alone waits for RDY (3.3 s), the SIM and registration; the SMTP send takes 1.5 s in the typical profile.
    expect(f["sim.mail.virtualSecondsFirst"]).toBeGreaterThan(5);
    expect(f["sim.mail.virtualSecondsFirst"]).toBeLessThan(60);
  });
});

describe("e2e: bench figures of the socket transport (issue 14)", () => {
  it("the 10,240-byte mail over the socket takes at most 1.2 x the module path's send time; PIPELINING keeps the round trips at 6", async () => {
    const [m, s] = [await simMailFigures(), await simSocketFigures()];
    expect(s["sim.socket.sendSeconds"]).toBeGreaterThan(1); // DNS, connect, two for TLS, six SMTP replies at 150 ms at the least
    expect(s["sim.socket.sendSeconds"]).toBeLessThanOrEqual(SIM_SOCKET_TARGETS.sendSecondsRatio * m["sim.mail.sendSeconds"]);
    expect(s["sim.socket.smtpRoundTrips"]).toBe(6);
    expect(s["sim.socket.commandsFirst"]).toBeGreaterThan(m["sim.mail.commandsNext"]);
  });
});
