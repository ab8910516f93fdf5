/** The one source of time. Services read `clock.now()`; tests pass a `ManualClock` and never sleep. */
export interface Clock {
  now(): Date;
}

/** One day in milliseconds: retention periods, daily quotas, the UTC day boundary. */
export const DAY_MS = 86_400_000;

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.#ms = typeof start === "number" ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(at: Date | number): void {
    this.#ms = typeof at === "number" ? at : at.getTime();
  }
}

/** Whole seconds since the epoch, as JWT `iat`/`exp` use them. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now().getTime() / 1000);
}
