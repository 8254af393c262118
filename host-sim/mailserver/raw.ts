// Misbehaving "servers" for fault tests: plain TCP listeners on loopback that accept and then
// say nothing, hang up at once, or greet and then go silent. Plus a port that refuses.
import net from "node:net";

export type RawBehaviour =
  /** Accept the connection and never send a byte (no greeting): the client times out. */
  | "silent"
  /** Accept and close at once: "connection closed by peer". */
  | "close"
  /** Send a 220 greeting, then never answer: the client times out after EHLO. */
  | "greet-then-silent";

export interface RawServer {
  host: string;
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startRawServer(behaviour: RawBehaviour, host = "127.0.0.1"): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    if (behaviour === "close") socket.destroy();
    else if (behaviour === "greet-then-silent") socket.write("220 mail.cellmail.test ESMTP\r\n");
    // "silent": read and ignore everything.
    socket.on("data", () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    host,
    port: addr.port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nobody listens on (bound, then released): connecting to it is refused. */
export async function refusedPort(host = "127.0.0.1"): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
