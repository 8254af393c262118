// Builds an AlarmService on a virtual clock with fakes; shared by the alarm tests.
import { VirtualClock } from "../../host-sim/clock.js";
import { AlarmService } from "../../firmware/alarm/service.js";
import type { AlarmServiceOptions } from "../../firmware/alarm/service.js";
import type { Store } from "../../firmware/platform/types.js";
import { Decide, FakeMailer, MemStore, World, deliverAll } from "./fakes.js";

export const MIN = 60000;
export const HOUR = 3600000;

export interface Rig {
  clock: VirtualClock;
  store: Store;
  world: World;
  mailer: FakeMailer;
  svc: AlarmService;
  logs: string[];
  /** Power cut + restart on the same Store and clock: a fresh service, a fresh mailer. */
  reboot(): void;
}

export function rig(extra: Partial<AlarmServiceOptions>, decide?: Decide, delayMs?: number, store?: Store, clock?: VirtualClock): Rig {
  const c = clock ?? new VirtualClock(1000);
  const s = store ?? new MemStore();
  const world = new World();
  const logs: string[] = [];
  const make = (m: FakeMailer) =>
    new AlarmService(Object.assign(
      { clock: c, store: s, mailer: m, board: "pump-house", to: ["ops@example.com"], log: (_l: number, msg: string) => logs.push(msg) },
      extra,
    ) as AlarmServiceOptions);
  const r: Rig = {
    clock: c, store: s, world, logs,
    mailer: new FakeMailer(c, world, decide ?? deliverAll, delayMs ?? 0),
    svc: null as unknown as AlarmService,
    reboot() {
      r.mailer.alive = false;
      r.svc.stop();
      r.mailer = new FakeMailer(c, world, r.mailer.decide, delayMs ?? 0);
      r.svc = make(r.mailer);
      r.svc.start();
    },
  };
  r.svc = make(r.mailer);
  r.svc.start();
  return r;
}
