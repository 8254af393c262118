// Timing profiles: how long the module takes to answer. "typical" is what a healthy
// module on a good network does (simple commands in a few ms); "worst" uses the
// maximum response times of the manuals (300 ms for most commands, CPIN 5 s, CFUN
// 15 s, CGATT 140 s, QIACT 150 s, QIDEACT 40 s, POWERED DOWN 60 s). A scenario can
// override any field. `radioRttMs` is the modelled radio round trip that every exchange
// with the internet pays, on both mail paths (docs/sockets.md, "Radio round trip").
export interface TimingProfile {
  name: string;
  /** Power-on (or reboot) to RDY. */
  bootMs: number;
  /** UART silence after the OK of AT+CFUN=1,1 before the module restarts booting. */
  rebootSilenceMs: number;
  /** RDY to the end of SIM initialisation (+CME ERROR: 14 before that). */
  simBusyMs: number;
  /** Gap between successive boot URCs. */
  urcGapMs: number;
  /** Default latency of a command's response. */
  commandMs: number;
  /** Per-command latency overrides, by command name (e.g. "+CPIN"). */
  perCommandMs: Record<string, number>;
  /** AT+QIACT=<cid> to its OK. */
  pdpActivateMs: number;
  /** AT+QIACT failure to its ERROR. */
  pdpFailMs: number;
  pdpDeactivateMs: number;
  cgattMs: number;
  /** End of body / file data to the +QSMTPBODY / +QFUPL line. */
  dataDoneMs: number;
  /** QFUPL ack mode: 1024th byte to the `A`. */
  ackMs: number;
  /**
   * Virtual time the module's SMTP transaction takes on top of its radio round trips (its own
   * work: building the message, reading attachments). Real I/O runs with the clock held.
   */
  smtpSendMs: number;
  /**
   * Radio round-trip time: what one exchange with the internet costs (a DNS query, a TCP
   * connect, each SMTP command and its reply, a TLS flight). The module's SMTP engine pays it
   * per exchange it performs; the socket commands pay half of it each way.
   */
  radioRttMs: number;
  /** AT+QPOWD OK to POWERED DOWN. */
  powerDownMs: number;
}

export const TYPICAL: TimingProfile = {
  name: "typical",
  bootMs: 3300,
  rebootSilenceMs: 800,
  simBusyMs: 1500,
  urcGapMs: 20,
  commandMs: 5,
  perCommandMs: { "+CPIN": 20, "+CFUN": 50, "+COPS": 20, "+QFLST": 10, "+QFDEL": 20, "+QSSLCFG": 5 },
  pdpActivateMs: 800,
  pdpFailMs: 3000,
  pdpDeactivateMs: 300,
  cgattMs: 500,
  dataDoneMs: 20,
  ackMs: 2,
  smtpSendMs: 1500,
  radioRttMs: 150,
  powerDownMs: 1500,
};

export const WORST: TimingProfile = {
  name: "worst",
  bootMs: 15000,
  rebootSilenceMs: 2000,
  simBusyMs: 6000,
  urcGapMs: 200,
  commandMs: 300,
  perCommandMs: { "+CPIN": 5000, "+CFUN": 15000, "+QFLST": 300, "+QFDEL": 300, "+QSSLCFG": 300 },
  pdpActivateMs: 150000,
  pdpFailMs: 150000,
  pdpDeactivateMs: 40000,
  cgattMs: 140000,
  dataDoneMs: 1000,
  ackMs: 50,
  smtpSendMs: 30000,
  radioRttMs: 150,
  powerDownMs: 60000,
};

export const PROFILES: Record<string, TimingProfile> = { typical: TYPICAL, worst: WORST };

export function makeProfile(base: string | undefined, overrides?: Partial<TimingProfile>): TimingProfile {
  const p = PROFILES[base ?? "typical"];
  if (!p) throw new Error(`unknown timing profile "${base}"`);
  return {
    ...p,
    ...(overrides ?? {}),
    perCommandMs: { ...p.perCommandMs, ...(overrides?.perCommandMs ?? {}) },
  };
}
