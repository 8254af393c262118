// From the device record (firmware/config/device.ts) to what the EC800 driver takes
// (firmware/modem/config.ts). One mapping, so the two shapes can never drift silently.
import { CA_FILE, type DeviceConfig } from "../config/device.js";
import type { ModemConfig } from "../modem/config.js";
import { utf8Bytes } from "../text/utf8.js";
import { bytesSource } from "../at/source.js";

export function modemConfigFrom(c: DeviceConfig): ModemConfig {
  const m: ModemConfig = {
    apn: c.apn,
    apnUser: c.apnUser,
    apnPassword: c.apnPassword,
    apnAuth: c.apnAuth,
    contextId: c.contextId,
    server: c.server,
    port: c.port,
    user: c.user,
    password: c.password,
    senderName: c.senderName,
    senderEmail: c.senderEmail,
    sslType: c.sslType,
    sslCtxId: c.sslCtxId,
    sslVersion: c.sslVersion,
    cipherSuite: c.cipherSuite,
    secLevel: c.secLevel,
    sni: c.sni,
    putTimeoutS: c.putTimeoutS,
  };
  if (c.secLevel > 0 && c.caCert !== "") m.caCert = { name: CA_FILE, data: bytesSource(utf8Bytes(c.caCert)) };
  return m;
}
