// The EC800's times, written once for both mailers (issue 12): the full core's driver and
// command tables (ec800.ts, steps.ts, the defaults of config.ts) and Espruino's
// (compact/mailer.ts). Command timeouts are the manual's maximum response times with room
// for a slow UART; the waits are the bring-up's and the recovery's. Plain numbers: a
// minifier writes them where they are used, so sharing them costs the Espruino bundle nothing.

export const T_PROBE = 1000; //          AT while the module may still be booting
export const T_SHORT = 3000; //          most commands: 300 ms in the manual
export const T_CPIN = 7000; //           AT+CPIN?: 5 s
export const T_CFUN = 18000; //          AT+CFUN: 15 s
export const T_QIACT = 155000; //        AT+QIACT=<cid>: answers when done, up to 150 s
export const T_QIDEACT = 45000; //       AT+QIDEACT: up to 40 s
/** Body data-mode input time in seconds (10,240 bytes at 9600 baud take about 11 s). */
export const BODY_INPUT_S = 60;
/** AT+QSMTPBODY: the input time and 5 s for the module's answer. */
export const T_BODY = BODY_INPUT_S * 1000 + 5000;

export const PROBE_TRIES = 10; //        AT probes (a second apart) before the module counts as silent
export const SIM_WAIT_MS = 20000; //     the SIM polled through its busy window (+CME ERROR: 14/13)
export const REG_WAIT_MS = 120000; //    the registration deadline
export const POLL_MS = 2000; //          between SIM polls and between registration polls
export const BOOT_WAIT_MS = 30000; //    for RDY after AT+CFUN=1,1 before probing with AT
export const REBOOT_SPACING_MS = 600000; // seed 4.2: module reboots at least 10 minutes apart
export const PUT_MARGIN_MS = 30000; //   the wait for +QSMTPPUT beyond AT+QSMTPPUT's own timeout
