// The socket transport as the Moddable and Node compositions carry it: the module's socket
// (firmware/ext/socket) under cellmail's own SMTP client (firmware/ext/smtp), made on the
// Mailer's driver from the device record. The two optional modules may not import each
// other; this is where they meet.
import type { AtPort } from "../at/types.js";
import type { Clock } from "../platform/types.js";
import type { DeviceConfig } from "../config/device.js";
import type { Ec800 } from "../modem/ec800.js";
import type { CauseTexts } from "../modem/codes.js";
import { SSL_IMPLICIT } from "../modem/config.js";
import type { MailTransport } from "../mail/transport.js";
import { ModuleSocket } from "../ext/socket/socket.js";
import { SocketTransport } from "../ext/smtp/transport.js";

export function socketMail(port: AtPort, clock: Clock, c: DeviceConfig, driver: Ec800, causes: CauseTexts | null): MailTransport {
  const tls = c.sslType === SSL_IMPLICIT;
  // The driver is handed as the object the socket, the transport and the client ask things
  // of (boot count, log, network time, SIM identity): no closures over it for the board's life.
  const socket = new ModuleSocket(port, clock, { contextId: c.contextId, sslCtxId: c.sslCtxId, tls: tls }, driver, causes);
  return new SocketTransport({
    connector: socket,
    server: c.server,
    port: c.port,
    tls: tls,
    sender: { name: c.senderName, address: c.senderEmail },
    origin: c.board,
    modem: driver,
    // One write fills one AT+QSSLSEND: fewer AT round trips a mail (time, and XS heap per exchange).
    client: { clock: clock, user: c.user, password: c.password, causes: causes, bufferBytes: socket.maxWrite, log: driver },
  });
}
