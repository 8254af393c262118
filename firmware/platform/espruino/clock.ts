// Espruino adapter: Clock over setTimeout/clearTimeout and getTime().
//
// getTime() is seconds as a float and moves when setTime() is called, so now() never
// goes backwards: a backward jump is absorbed into an offset. Espruino reuses timeout
// ids, so clearing an id whose timer already fired could cancel someone else's timer;
// each handle therefore remembers whether it is still pending and is cleared only then.
import type { Clock, TimerHandle } from "../types.js";

interface EspruinoTimer {
  id: number;
  fire: (() => void) | undefined;
}

function fireTimer(timer: EspruinoTimer): void {
  const fire = timer.fire;
  timer.fire = undefined;
  if (fire) fire();
}

export function createEspruinoClock(): Clock {
  let last = getTime() * 1000;
  let offset = 0;
  return {
    now(): number {
      const raw = getTime() * 1000 + offset;
      if (raw < last) offset += last - raw;
      else last = raw;
      return last;
    },
    setTimer(ms: number, fire: () => void): TimerHandle {
      const timer: EspruinoTimer = { id: 0, fire: fire };
      timer.id = setTimeout(fireTimer, ms > 0 ? ms : 0, timer);
      return timer;
    },
    // The handle is one of setTimer's (or null): typed so here, no alias (the bundle's bytes).
    clearTimer(timer: EspruinoTimer | null): void {
      if (!timer || !timer.fire) return;
      timer.fire = undefined;
      clearTimeout(timer.id);
    },
  };
}
