// The simulated internet behind the module's sockets: where a host name and port really
// lead. It follows the module's SMTP engine (host-sim/smtp/engine.ts) and the runner's
// routing of it (host-sim/runner/session.ts): a name in `routes` reaches that loopback
// endpoint whatever port is asked (the board is configured with a real-looking server and
// port; the runner's one embedded server answers them), IP literals are used as they are,
// names under `.invalid` never resolve (RFC 6761: the DNS failure a scenario can ask for
// by name), `localhost` is 127.0.0.1, and anything else goes to the system resolver.
import net from "node:net";
import { defaultResolve } from "../../smtp/engine.js";

export interface SocketNetwork {
  /** Host name (case-insensitive) -> the real endpoint that answers for it on every port. */
  routes?: Record<string, { host: string; port: number }>;
  /** Resolver for names not in `routes` (default: RFC 6761 names, then the system resolver). */
  resolve?: (host: string) => Promise<string>;
  /**
   * The name a server certificate is checked against (and sent as SNI when the SSL context's
   * sni is on), instead of the host name asked for: the runner's server has a certificate
   * for "localhost" (as the SMTP engine's `servername`).
   */
  servername?: string;
  /**
   * Where host:port leads, before `routes` (null: ask `routes` and the resolver): `cellmail
   * modem --pty` sends every name to its embedded servers, by port (465: implicit TLS).
   */
  to?: (host: string, port: number) => { host: string; port: number } | null;
}

/** A host name's lookup result and the port to connect to. */
export interface Endpoint {
  address: string;
  port: number;
  /** The name TLS checks the certificate against. */
  servername: string;
}

export function isIpLiteral(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return net.isIP(h) !== 0;
}

/** Resolve host:port to where it leads; rejects with an error whose `code` is e.g. ENOTFOUND. */
export async function locate(network: SocketNetwork, host: string, port: number): Promise<Endpoint> {
  const servername = network.servername ?? host;
  const chosen = network.to?.(host, port);
  if (chosen) return { address: chosen.host, port: chosen.port, servername };
  const routed = network.routes?.[host.toLowerCase()] ?? network.routes?.[host];
  if (routed) return { address: routed.host, port: routed.port, servername };
  if (isIpLiteral(host)) return { address: host.replace(/^\[|\]$/g, ""), port, servername };
  const address = await (network.resolve ?? defaultResolve)(host);
  return { address, port, servername };
}
