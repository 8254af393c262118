// Shared by the ext/smtp tests: send one mail with the firmware's client and MIME writer
// over a NodeSocketStream to a real MailServer (smtp-server + mailparser).
import { NodeClock } from "../../firmware/platform/node/clock.js";
import type { CellError } from "../../firmware/errors.js";
import { SmtpClient, type SmtpClientOptions } from "../../firmware/ext/smtp/client.js";
import { MimeWriter } from "../../firmware/ext/smtp/mime.js";
import { isMailError, prepareSocketMail, type Sender, type SocketMailJob } from "../../firmware/ext/smtp/mail.js";
import { NodeSocketStream, type NodeStreamOptions } from "./node-stream.js";
import type { MailServer } from "../../host-sim/mailserver/index.js";

export const SENDER: Sender = { name: "Pump house 3", address: "alarm@cellmail.test" };
/** 2026-12-06T22:33:32Z, as the network's time. */
export const NETWORK_TIME = Date.UTC(2026, 11, 6, 22, 33, 32);

export interface SendResult {
  error: CellError | null;
  stream: NodeSocketStream;
  client: SmtpClient;
}

export interface SendOptions extends Partial<Omit<SmtpClientOptions, "clock">> {
  stream?: Partial<NodeStreamOptions>;
  sender?: Sender;
  date?: number;
}

/** Sends `job` to `server`; resolves with the outcome once the client has closed the connection. */
export async function sendOnce(server: MailServer, job: SocketMailJob, options: SendOptions = {}): Promise<SendResult> {
  const mail = prepareSocketMail(job, options.sender ?? SENDER, options.date ?? NETWORK_TIME);
  if (isMailError(mail)) throw new Error(`job refused: ${mail.code} ${mail.cause}`);
  const clock = new NodeClock();
  const client = new SmtpClient({
    clock,
    user: options.user ?? "",
    password: options.password ?? "",
    heloName: options.heloName ?? "board.cellmail.test",
    pipelining: options.pipelining,
    bufferBytes: options.bufferBytes,
  });
  const stream = await NodeSocketStream.open({ port: server.port, tlsCa: server.caPem, ...options.stream });
  const writer = new MimeWriter();
  writer.start(mail);
  const error = await new Promise<CellError | null>((resolve) => {
    client.send(stream, mail, writer, resolve);
    stream.attach(client);
  });
  // The conversation goes on to QUIT; wait (bounded) until the client is done with the socket.
  for (let i = 0; i < 500 && client.state !== 12; i++) await new Promise((r) => setTimeout(r, 5));
  return { error, stream, client };
}

/** Every line of `raw` ends in CR LF, and none is longer than 998 bytes. */
export function lineProblems(raw: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b === 13 && raw[i + 1] !== 10) out.push(`bare CR at ${i}`);
    if (b === 10) {
      if (i === 0 || raw[i - 1] !== 13) out.push(`bare LF at ${i}`);
      if (i - 1 - start > 998) out.push(`line of ${i - 1 - start} bytes at ${start}`);
      start = i + 1;
    }
    if (b === 0) out.push(`NUL at ${i}`);
  }
  return out;
}
