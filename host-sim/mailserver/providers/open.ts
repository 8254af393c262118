// The `open` profile: today's embedded server, which enforces no provider's rules. Its
// listener follows the board's configuration (the TLS mode its SSL type asks for, AUTH
// with the board's credentials), as `cellmail sim` has always done.
import type { ProviderProfile } from "./types.js";

export function openProfile(): ProviderProfile {
  return { name: "open", title: "open (no provider rules)", listeners: [], rules: [] };
}
