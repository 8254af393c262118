// A complete SmtpConfig with the given ssl.type, for the STARTTLS check.
import type { SmtpConfig } from "../../firmware/config/types.js";

export function PRESETS_FOR_TEST(sslType: number): SmtpConfig {
  return {
    provider: "generic",
    region: "",
    server: "smtp.example.com",
    port: sslType === 1 ? 465 : 587,
    user: "u",
    password: "p",
    ssl: { type: sslType, verify: false, cacert: "", context: 1 },
  };
}
