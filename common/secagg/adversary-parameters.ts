/**
 * The neighbour graph's degree k and the threshold t that follow from the
 * adversary a job states: a fraction γ of the participants colluding with
 * the server, and independent dropouts at rate ρ. The coordinator and every
 * participant derive them here from the same inputs, so they agree.
 *
 * Privacy comes first: t is the smallest threshold whose exposure bound
 * (exposure.ts) stays below `exposureBound`, the smallest because a lower t
 * tolerates more dropouts. The degree is then the smallest even one whose
 * neighbourhoods, at that t, all keep t members with probability at least
 * 1 − `failureBound`; a smaller degree means fewer masks and shares per
 * participant. Where no degree manages that, the complete graph is used and
 * its failure probability is reported as it is: a round that fails for lack
 * of survivors costs liveness, never privacy.
 */
import { ConfigError } from '../errors';
import { colludersOf, exposureProbability, isCompleteGraph, shortfallProbability } from './exposure';
import { minimumThreshold } from './secagg-config';

/** Up to this many participants the complete graph (plain SecAgg) is cheap enough to use always. */
export const COMPLETE_GRAPH_UP_TO = 20;
/** The exposure probability a derived (or stated) graph must stay below: 2^-40 per collection. */
export const DEFAULT_EXPOSURE_BOUND = 2 ** -40;
/** The chance, per collection, that some neighbourhood falls below the threshold that the degree is chosen for. */
export const DEFAULT_FAILURE_BOUND = 0.01;

export interface AdversaryInput {
  participants: number;
  /** γ in [0, 1). */
  collusionFraction: number;
  /** ρ in [0, 1). */
  dropoutRate: number;
  exposureBound?: number;
  failureBound?: number;
}

export interface AdversaryParameters {
  /** Neighbours besides the participant itself; participants − 1 on the complete graph. */
  degree: number;
  threshold: number;
  /** exposureProbability of (degree, threshold): below the exposure bound. */
  exposure: number;
  /** shortfallProbability of (degree, threshold) at the dropout rate; may exceed the failure bound on the fallback complete graph. */
  failure: number;
}

function checkFraction(field: string, value: number): void {
  if (!(value >= 0 && value < 1)) throw new ConfigError(`secure aggregation: ${field} must lie in [0, 1), got ${value}`, { field, expected: 'a number in [0, 1)', found: value });
}

function checkInput(input: AdversaryInput): Required<AdversaryInput> {
  const { participants } = input;
  if (!Number.isSafeInteger(participants) || participants < 1) {
    throw new ConfigError(`secure aggregation: participants must be a whole number >= 1, got ${participants}`, { field: 'participants', expected: 'a whole number >= 1', found: participants });
  }
  checkFraction('collusionFraction', input.collusionFraction);
  checkFraction('dropoutRate', input.dropoutRate);
  const exposureBound = input.exposureBound ?? DEFAULT_EXPOSURE_BOUND;
  const failureBound = input.failureBound ?? DEFAULT_FAILURE_BOUND;
  if (!(exposureBound > 0 && exposureBound <= 1)) throw new ConfigError(`secure aggregation: exposureBound must lie in (0, 1], got ${exposureBound}`, { field: 'exposureBound', expected: 'a number in (0, 1]', found: exposureBound });
  if (!(failureBound >= 0 && failureBound <= 1)) throw new ConfigError(`secure aggregation: failureBound must lie in [0, 1], got ${failureBound}`, { field: 'failureBound', expected: 'a number in [0, 1]', found: failureBound });
  return { ...input, exposureBound, failureBound };
}

/**
 * The smallest threshold for `degree` over `participants` that is a strict
 * majority, meets the sparse ring's k/2 + 2 and keeps the exposure below the
 * bound; undefined when even t = m does not. Exposure only falls as t grows,
 * so the first that passes is the one.
 */
export function safeThreshold(participants: number, degree: number, collusionFraction: number, exposureBound: number = DEFAULT_EXPOSURE_BOUND): number | undefined {
  const complete = isCompleteGraph(participants, degree);
  const size = complete ? participants : degree + 1;
  const lowest = Math.ceil(minimumThreshold(size, !complete));
  if (complete) {
    // Exposed exactly when c ≥ 2t − n: the first t with 2t − n > c, no search needed.
    const t = Math.max(lowest, Math.floor((participants + colludersOf(participants, collusionFraction)) / 2) + 1);
    return t <= size ? t : undefined;
  }
  for (let t = lowest; t <= size; t++) {
    if (exposureProbability({ participants, degree, threshold: t, collusionFraction }) < exposureBound) return t;
  }
  return undefined;
}

/** "2^-40" for a power of two, else three significant digits. */
function boundText(bound: number): string {
  const power = Math.log2(bound);
  return Number.isInteger(power) ? `2^${power}` : bound.toPrecision(3);
}

/** The error for a degree (`field` names what the caller stated) that no threshold up to the neighbourhood size makes safe. */
export function noSafeThreshold(participants: number, degree: number, collusionFraction: number, exposureBound: number, field: 'threshold' | 'neighbours' = 'threshold'): ConfigError {
  const colluders = colludersOf(participants, collusionFraction);
  return new ConfigError(
    `secure aggregation: no threshold keeps the exposure probability below ${boundText(exposureBound)} at degree ${degree} for a roster of ${participants} with collusion fraction ${collusionFraction} (${colluders} colluders)`,
    { field, expected: `a degree with an exposure probability below ${boundText(exposureBound)}`, found: `degree ${degree}, roster ${participants}, collusion fraction ${collusionFraction}` },
  );
}

function derive(input: Required<AdversaryInput>): AdversaryParameters {
  const { participants: n, collusionFraction, dropoutRate, exposureBound, failureBound } = input;
  const measured = (degree: number, threshold: number): AdversaryParameters => ({
    degree,
    threshold,
    exposure: exposureProbability({ participants: n, degree, threshold, collusionFraction }),
    failure: shortfallProbability(n, degree, threshold, dropoutRate),
  });
  if (n > COMPLETE_GRAPH_UP_TO) {
    for (let degree = 2; degree < n - 1; degree += 2) {
      const threshold = safeThreshold(n, degree, collusionFraction, exposureBound);
      if (threshold === undefined) continue;
      const candidate = measured(degree, threshold);
      if (candidate.failure <= failureBound) return candidate;
    }
  }
  const complete = Math.max(0, n - 1);
  const threshold = safeThreshold(n, complete, collusionFraction, exposureBound);
  if (threshold === undefined) throw noSafeThreshold(n, complete, collusionFraction, exposureBound);
  return measured(complete, threshold);
}

const derived = new Map<string, AdversaryParameters>();
const MAX_DERIVED = 4096;

/** Degree, threshold and their exposure and failure probabilities for the stated adversary; memoised, as every round of every job asks. */
export function adversaryParameters(input: AdversaryInput): AdversaryParameters {
  const checked = checkInput(input);
  const key = `${checked.participants}|${checked.collusionFraction}|${checked.dropoutRate}|${checked.exposureBound}|${checked.failureBound}`;
  let result = derived.get(key);
  if (result === undefined) {
    result = Object.freeze(derive(checked));
    if (derived.size >= MAX_DERIVED) derived.delete(derived.keys().next().value as string);
    derived.set(key, result);
  }
  return result;
}
