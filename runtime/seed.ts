// The seeds gradc accepts. The random streams (random.ts) hash a seed as 32
// bits, so outside [0, 2^32) a seed would silently repeat another's draws.
export const SEED_RANGE = [0, 2 ** 32] as const;
