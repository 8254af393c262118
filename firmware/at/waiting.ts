// The command that waits behind the one in flight, when the composition carries no command
// queue (AtEngineOptions.queue, firmware/ext/queue): one, in fixed fields, nothing allocated
// per command. A driver's chain sends its next step only when the last one ended, so one is
// all it needs: the step that waits out the settle pause after its predecessor's final
// result. A second waiting command is refused (AtPort.room() is then 0; the modem layer's
// refusal() says why, E_AT_BUSY).
import type { AtDone, AtRequest, AtWaiting } from "./types.js";

export class OneWaiting implements AtWaiting {
  readonly capacity = 1;
  count = 0;
  req: AtRequest | null = null;
  done: AtDone | null = null;
  private held: AtRequest | null = null;
  private heldDone: AtDone | null = null;

  push(req: AtRequest, done: AtDone): boolean {
    if (this.count !== 0) return false;
    this.held = req;
    this.heldDone = done;
    this.count = 1;
    return true;
  }

  shift(): boolean {
    if (this.count === 0) return false;
    this.req = this.held;
    this.done = this.heldDone;
    this.held = null;
    this.heldDone = null;
    this.count = 0;
    return true;
  }
}
