import { mulberry32 } from "@qc/platform/testing";

export { mulberry32 };

/** A source of numbers in [0, 1), like Math.random but repeatable when seeded (mulberry32). */
export type Random = () => number;

/** An integer in [min, max]. */
export const intBetween = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/** A new stream for another purpose (load, schedule), so adding draws to one never shifts the other. */
export const substream = (seed: number, purpose: number): Random =>
  mulberry32((seed ^ Math.imul(purpose + 1, 0x9e3779b1)) >>> 0);
