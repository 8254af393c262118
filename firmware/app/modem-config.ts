// From the user's configuration (firmware/config) to what the EC800 driver needs
// (firmware/modem/config). One mapping, so the two shapes can never drift silently.
import type { CellmailConfig } from "../config/types.js";
import type { ModemConfig } from "../modem/config.js";
import { utf8Bytes } from "../text/utf8.js";
import { bytesSource } from "../at/source.js";

/** UFS name the CA certificate is uploaded under when the server is verified. */
export const CA_FILE = "cellmail-ca.pem";

export function modemConfigFrom(c: CellmailConfig): ModemConfig {
  const m: ModemConfig = {
    apn: c.network.apn,
    apnUser: c.network.user,
    apnPassword: c.network.password,
    apnAuth: c.network.auth,
    contextId: c.network.context,
    server: c.smtp.server,
    port: c.smtp.port,
    user: c.smtp.user,
    password: c.smtp.password,
    senderName: c.sender.name,
    senderEmail: c.sender.address,
    sslType: c.smtp.ssl.type,
    sslCtxId: c.smtp.ssl.context,
    secLevel: c.smtp.ssl.verify ? 1 : 0,
  };
  if (c.smtp.ssl.verify) m.caCert = { name: CA_FILE, data: bytesSource(utf8Bytes(c.smtp.ssl.cacert)) };
  return m;
}
