import { type Clock, systemClock } from "./clock";
import { cryptoRandom, type RandomSource } from "./random";

/** What the platform injects: time and randomness. Tests replace them; production never does. */
export interface PlatformDeps {
  clock: Clock;
  random: RandomSource;
}

export const defaultPlatformDeps: PlatformDeps = { clock: systemClock, random: cryptoRandom };
