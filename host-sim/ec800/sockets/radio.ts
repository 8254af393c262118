// The modelled radio link: what one exchange with the internet costs, for both mail paths.
// The module's own SMTP engine reports what its transaction used (RadioUse); the socket
// commands pay the same table as they open, and half a round trip each way on data. So the
// two paths are priced alike and their figures (sim.mail.sendSeconds, sim.socket.sendSeconds)
// compare (docs/sockets.md, "Radio round trip").

/** Round trips each step costs. TLS: a full TLS 1.2 handshake (two flights each way). */
export const RADIO_TRIPS = {
  /** One DNS query for a host name (none for an IP literal). */
  dns: 1,
  /** The TCP handshake (SYN, SYN-ACK), also when it is refused. */
  connect: 1,
  /** A TLS handshake (ClientHello ... Finished). */
  tlsHandshake: 2,
  /** Each SMTP reply the client waits for: the greeting, and one per command. */
  reply: 1,
} as const;

/** What an SMTP transaction used of the radio. */
export interface RadioUse {
  /** A DNS query was made (the server was named, not an IP literal). */
  dns: boolean;
  /** A TCP connection was attempted. */
  connect: boolean;
  /** A TLS handshake was made (implicit TLS, or after STARTTLS). */
  tls: boolean;
  /** SMTP replies waited for (greeting included, QUIT's 221 not: the result is known before it). */
  replies: number;
}

/** Round trips of a transaction. */
export function radioTrips(u: RadioUse): number {
  return (
    (u.dns ? RADIO_TRIPS.dns : 0) +
    (u.connect ? RADIO_TRIPS.connect : 0) +
    (u.tls ? RADIO_TRIPS.tlsHandshake : 0) +
    u.replies * RADIO_TRIPS.reply
  );
}
