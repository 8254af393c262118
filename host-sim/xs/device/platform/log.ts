// XS bridge: the firmware's Log, forwarded to the host (level byte, UTF-8 text), except lines
// below the channel's level (OP_LOGLEVEL), which a board's log would drop too.
import type { Log } from "../../../../firmware/platform/types.js";
import { utf8Bytes } from "../../../../firmware/text/utf8.js";
import { ISSUE_LOG, XsChannel } from "./protocol.js";

export function createXsLog(channel: XsChannel): Log {
  const log: Log = (level: number, message: string): void => {
    if (level < channel.logLevel) return;
    channel.send(ISSUE_LOG, level & 0xff, utf8Bytes(message));
  };
  log.level = channel.logLevel; // OP_LOGLEVEL comes before OP_START, which makes the log
  return log;
}
