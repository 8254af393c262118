// The module's socket ids (0-11), shared by the TCP and SSL families, with the simulated
// network they connect through. A reboot, a power cut or the deactivation of a PDP context
// closes the sockets on it: AT+QIDEACT frees them silently; a deactivation by the network
// reports "closed" for each (before "pdpdeact") and leaves them to AT+QICLOSE.
import type { Ec800 } from "../modem.js";
import { Connection, type ConnectionFaults, type OpenRequest } from "./connection.js";
import type { SocketNetwork } from "./network.js";

export class SocketTable {
  private readonly byId = new Map<number, Connection>();
  /** <err> of the last socket command that failed, for AT+QIGETERROR. */
  lastError = 0;

  constructor(
    private readonly m: Ec800,
    readonly network: SocketNetwork,
    /** Real time a hold on the clock may wait for the server (a silent server must not stall a test). */
    readonly realWaitMs: number,
  ) {}

  get(id: number): Connection | undefined {
    return this.byId.get(id);
  }

  add(req: OpenRequest, faults: ConnectionFaults): Connection {
    const c = new Connection(this.m, this.network, faults, this.realWaitMs, req);
    this.byId.set(req.id, c);
    return c;
  }

  remove(c: Connection): void {
    if (this.byId.get(c.id) === c) this.byId.delete(c.id);
  }

  all(): Connection[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Close every socket (reboot, power cut); nothing is reported. */
  closeAll(): void {
    for (const c of this.byId.values()) c.close();
    this.byId.clear();
  }

  /** Close the sockets on a context; `report` sends their "closed" URCs (a deactivation by the network). */
  closeContext(cid: number, report: boolean): void {
    for (const c of this.all()) {
      if (c.cid !== cid) continue;
      if (!report) {
        c.close();
        this.byId.delete(c.id);
      } else if (c.lose()) this.m.urc(`${c.family.urc}: "closed",${c.id}`, true);
    }
  }
}
