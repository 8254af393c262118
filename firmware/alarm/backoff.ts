// How long an outbox waits before it tries a mail again: doubling from `base` up to `max`,
// then "equal jitter": half of that wait is fixed, the other half spread by a hash of the
// board's name, the mail id and the try, so the boards of a fleet that were refused
// together (a provider's limit, a regional outage) do not come back together. No Math.random:
// the spread is the same on every run of the same board (tests, the simulator's fleets),
// and different from board to board. Shared by both profiles (ES2015 subset, no Math.imul;
// every product stays below 2^53, so the arithmetic is exact on every engine).

const M = 2147483647;

/** Milliseconds to wait before try number `n + 1`, after `n` (>= 1) failed tries. */
export function backoffMs(base: number, max: number, n: number, board: string, id: number): number {
  let d = base;
  for (let i = 1; i < n && d < max; i++) d *= 2;
  if (d > max) d = max;
  // Lehmer steps over the name (two more after it, so names that differ in their last
  // character land far apart), and a shift-xor so that they do not land evenly spaced.
  let h = id + n;
  for (let i = 0; i < board.length + 2; i++) h = (h * 48271 + (board.charCodeAt(i) || 0)) % M;
  h = ((h ^ (h >> 13)) * 48271) % M;
  return d / 2 + (d * h) / M / 2;
}
