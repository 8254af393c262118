// Deterministic decisions for overlapping SMTP transactions. Many simulated boards send at
// once, and their real transactions overlap, so they reach the server's decision point (the
// end of DATA) in whatever order the sockets happen to go. A provider's limits depend on that
// order. Each transaction therefore takes a ticket when the module starts it, on the virtual
// clock, and introduces itself with the ticket's name (its EHLO name): the server decides
// ticket after ticket in the order they were taken, at the virtual time they were taken,
// whatever the real timing. A run is then the same every time.
import type { OutgoingMail, SmtpEngine, SmtpOutcome, SmtpSession, DeliverOptions } from "../../smtp/types.js";

export interface Ticket {
  id: number;
  /** Virtual ms when the module started the transaction. */
  at: number;
  /** The EHLO name the transaction uses. */
  name: string;
  /** Decided (or ended without reaching a decision). */
  done: boolean;
}

const PREFIX = "ec800-t";

export class Tickets {
  private next = 1;
  /** Undecided tickets in the order taken (ids ascending); `head` skips the ones done. */
  private queue: Ticket[] = [];
  private head = 0;
  private byId = new Map<number, Ticket>();
  private waiting = new Map<number, () => void>();

  /** A ticket for a transaction starting at virtual time `at` (call in virtual-time order). */
  open(at: number): Ticket {
    const t: Ticket = { id: this.next++, at, name: `${PREFIX}${this.next - 1}`, done: false };
    this.queue.push(t);
    this.byId.set(t.id, t);
    return t;
  }

  /** The ticket a client introduced itself with, if any. */
  find(ehloName: string | undefined): Ticket | undefined {
    if (!ehloName || !ehloName.startsWith(PREFIX)) return undefined;
    return this.byId.get(Number(ehloName.slice(PREFIX.length)));
  }

  /** Resolves when every ticket taken before `t` is done. */
  turn(t: Ticket): Promise<void> {
    this.advance();
    if (this.queue[this.head] === t || t.done) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(t.id, resolve));
  }

  /** `t` was decided, or its transaction ended: the next ticket may go. */
  finish(t: Ticket): void {
    if (t.done) return;
    t.done = true;
    this.byId.delete(t.id);
    this.advance();
    const first = this.queue[this.head];
    const wake = first ? this.waiting.get(first.id) : undefined;
    if (first && wake) {
      this.waiting.delete(first.id);
      wake();
    }
  }

  /** Tickets not yet done. */
  pending(): number {
    return this.queue.length - this.head;
  }

  private advance(): void {
    while (this.head < this.queue.length && this.queue[this.head].done) this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The module's SMTP engine with tickets: every delivery takes one at `now()` and introduces
 * itself with its name, and gives it back when it ends (decided or not).
 */
export function ticketedEngine(inner: SmtpEngine, tickets: Tickets, now: () => number): SmtpEngine {
  return {
    async deliver(session: SmtpSession, mail: OutgoingMail, timeoutMs: number, options: DeliverOptions = {}): Promise<SmtpOutcome> {
      const t = tickets.open(now());
      try {
        return await inner.deliver(session, mail, timeoutMs, { ...options, clientName: t.name });
      } finally {
        tickets.finish(t);
      }
    },
  };
}
