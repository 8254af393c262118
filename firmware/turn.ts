// nextTurn: the one way the core goes on with its work after an event, on a fresh turn of
// the event loop. Shared by both profiles.
//
// Why: a Moddable app's JavaScript stack is what its manifest's `creation.stack` says (384
// slots by default), and about twenty ordinary frames fill it; running out ends the program
// (`XS abort: JavaScript stack overflow`). Work that an event makes possible (the next
// command after a result, the next job after a mail, the mail after a radio reading) must
// therefore never run as a deeper call inside the callback that reported the event: it is
// handed to nextTurn and starts on an empty stack once that callback has returned. The
// deepest stack is then the deepest single step, whatever the length of the chain of
// steps. (Espruino's stack is not XS's, but bounded work per turn is the rule there too.)
//
// Where the core uses it (docs/design.md, "A bounded stack"):
//  - the EC800 driver: every result it hands to its owner, and every module event (RDY,
//    POWERED DOWN, PDP deactivated, +QSMTPPUT) it reports, including answers it can give
//    at once (modem/ec800.ts);
//  - the mailer: a finished job's result, and the next job (mail/mailer.ts);
//  - the full core's mailer for the outbox: the radio reading and the mail's outcome
//    (app/alarm-mailer.ts);
//  - the compact profile: a finished run's outcome, and the radio reading it waits for
//    (compact/mailer.ts).
//
// What it is: a zero-delay one-shot timer on the platform Clock. Every Clock fires timers
// that are due at the same time in the order they were set (platform/types.ts), so calls
// deferred one after another run in that order.
import type { Clock } from "./platform/types.js";

/** Call `fn` on a fresh turn: after the current call stack has unwound, after what was deferred before. */
export function nextTurn(clock: Clock, fn: () => void): void {
  clock.setTimer(0, fn);
}
