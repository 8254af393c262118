// The bench workload through the compact profile's AT link (firmware/compact/link.ts)
// instead of the full engine: the same ManualClock and CountingUart, the same chunks fed
// through the sink the link attached to the uart, one AT+CSQ (prefix "+CSQ:", 300 ms)
// always in flight and re-sent from its end handler, the info line's integer read with
// int() as AtDriver's onLine does, and the URCs AtDriver registers (+CEREG:, +QSMTPPUT:,
// +QIACT:, RDY, +CSQ:) told apart in the link's one `onUrc` with starts()/is() (the link
// has no prefix table) and read with int() as AtDriver's handlers do.
//
// Runs unchanged inside XS (bundled via compact-entry.ts) and on Node, follows the core's
// ES2015 rules, and allocates nothing while feeding: every handler is created here, once.
import type { Clock, Uart } from "../../firmware/platform/types.js";
import type { AtLink, EndHandler, LineHandler } from "../../firmware/compact/link.js";
import { E_AT_ERROR, E_CANCELLED, E_NO_CARRIER, E_TIMEOUT } from "../../firmware/errors.js";
import {
  CountingUart,
  ManualClock,
  feedChunks,
  feedNull,
  makeChunks,
  newCounts,
  type BenchDriver,
  type DriverCounts,
} from "./at-driver.js";

/** Builds the link under test; the link attaches itself to the uart. */
export type LinkFactory = (uart: Uart, clock: Clock) => AtLink;

/**
 * The link's end code as an index of DriverCounts.finals, in the full engine's RESULT_*
 * order (0 OK, 1 ERROR, 2 +CME/+CMS number, 4 NO CARRIER, 5 timeout, 6 cancelled, 7 other).
 */
function finalIndex(code: number): number {
  if (code === 0) return 0;
  if (code === E_AT_ERROR) return 1;
  if (code === E_NO_CARRIER) return 4;
  if (code === E_TIMEOUT) return 5;
  if (code === E_CANCELLED) return 6;
  if (code > 0 && code < 1000) return 2; // module error number from +CME/+CMS ERROR
  return 7;
}

/** Drives the compact link with one AT+CSQ always in flight. */
export class CompactDriver implements BenchDriver {
  readonly clock: ManualClock;
  readonly uart: CountingUart;
  readonly link: AtLink;
  readonly counts: DriverCounts;
  private readonly onInfo: LineHandler;
  private readonly onEnd: EndHandler;
  private chunks: Uint8Array[];
  private closed: boolean;

  constructor(factory: LinkFactory) {
    this.clock = new ManualClock();
    this.uart = new CountingUart();
    this.link = factory(this.uart, this.clock);
    this.counts = newCounts();
    this.chunks = [];
    this.closed = false;
    const counts = this.counts;
    const link = this.link;
    link.onUrc = (l: AtLink) => {
      if (l.starts("+CEREG:")) {
        if (l.int(0) >= 0) counts.cereg++;
      } else if (l.starts("+QSMTPPUT:")) {
        if (l.int(0) === 0 && l.int(1) === 0) counts.qsmtpput++;
      } else if (l.starts("+QIACT:")) {
        if (l.int(0) === 1) counts.qiact++;
      } else if (l.is("RDY")) {
        counts.rdy++;
      } else if (l.starts("+CSQ:")) {
        // +CSQ lines that arrive while no AT+CSQ is waiting for its reply.
        const v = l.int(0);
        counts.csqLines++;
        counts.csqSum += v === v ? v : 0;
      } else {
        counts.other++;
      }
    };
    this.onInfo = (l: AtLink) => {
      const v = l.int(0);
      counts.csqLines++;
      counts.csqSum += v === v ? v : 0;
    };
    this.onEnd = (code: number) => {
      counts.finals[finalIndex(code)]++;
      if (!this.closed) link.send("+CSQ", "+CSQ:", 300, null, this.onInfo, this.onEnd);
    };
    link.send("+CSQ", "+CSQ:", 300, null, this.onInfo, this.onEnd);
  }

  /** Prepare the chunks (before any measurement). */
  load(corpus: Uint8Array, chunkSize: number): number {
    this.chunks = makeChunks(corpus, chunkSize);
    return this.chunks.length;
  }

  /** Feed every chunk `passes` times through the uart sink (the link), advancing the clock per chunk. */
  feed(passes: number): void {
    feedChunks(this.uart.sink, this.chunks, passes, this.clock);
    this.counts.written = this.uart.written;
  }

  /** The feeding loop alone into a sink that does nothing (as AtDriver.feedNull). */
  feedNull(passes: number): void {
    feedNull(this.chunks, passes);
  }

  stats(): unknown {
    return { commands: this.link.written, busy: this.link.busy() };
  }

  close(): void {
    this.closed = true;
    this.link.cancel();
  }
}
