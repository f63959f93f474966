import { createRng, sampleWithoutReplacement } from '../common/random';

/**
 * The participants asked to train in a round: a seeded random share of the
 * active ones, never fewer than the job's minimum (if that many are active).
 */
export function selectCohort(active: string[], fraction: number, minParticipants: number, seed: number, round: number): string[] {
  const sorted = [...active].sort();
  const size = Math.min(sorted.length, Math.max(minParticipants, Math.ceil(fraction * sorted.length)));
  if (size === sorted.length) return sorted;
  const rng = createRng(`${seed}:cohort:${round}`);
  return sampleWithoutReplacement(sorted.length, size, rng).map((i) => sorted[i]).sort();
}
