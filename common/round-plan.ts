/**
 * What a job spec implies for one collection over a roster of a given size:
 * its secure-aggregation settings, the fewest contributors it may be
 * aggregated from, and each member's distributed-DP noise. The coordinator
 * builds its tasks from these and every participant recomputes them from the
 * spec it accepted to check the tasks it receives, so one derivation serves
 * both and an honest coordinator always passes.
 */
import type { JobSpec } from './job-spec';
import { distributedNoise, type DistributedNoise } from './privacy';
import { collectionGraph, collectionPlan, DEFAULT_COLLUSION_FRACTION, type CollectedContribution, type CollectionPlan } from './secagg';
import { ConfigError } from './errors';
import { colludersOf } from './secagg/exposure';

type PlanSpec = Pick<JobSpec, 'secureAggregation' | 'minParticipants' | 'roundDeadlineSeconds' | 'differentialPrivacy' | 'training'>;

/** Degree and threshold of a secure collection over the roster, or undefined when the job aggregates in the clear. */
export function secureGraphOf(spec: PlanSpec, rosterSize: number): { degree: number; threshold: number } | undefined {
  return spec.secureAggregation.enabled ? collectionGraph(spec.secureAggregation, rosterSize) : undefined;
}

/** The fewest contributors a collection over the roster may be aggregated from: the job's minimum, or the threshold if higher. */
export function fewestSurvivorsOf(spec: PlanSpec, rosterSize: number): number {
  return Math.max(spec.minParticipants, secureGraphOf(spec, rosterSize)?.threshold ?? 0);
}

/** Every secure setting of the collection but the identity keys, or undefined when the job aggregates in the clear. */
export function secureCollectionOf(spec: PlanSpec, contribution: CollectedContribution, rosterSize: number): CollectionPlan | undefined {
  if (!spec.secureAggregation.enabled) return undefined;
  return collectionPlan(spec.secureAggregation, spec.roundDeadlineSeconds, contribution, rosterSize);
}

/**
 * Each member's noise in a distributed-DP round over the roster; undefined
 * unless the job uses distributed DP. Only honest survivors are counted on
 * for noise: the fewest survivors the participants enforce, less the
 * floor(γ·rosterSize) that may collude with the aggregator (γ the spec's
 * secureAggregation.collusionFraction).
 */
export function distributedNoiseOf(spec: PlanSpec, rosterSize: number): DistributedNoise | undefined {
  const dp = spec.differentialPrivacy;
  if (dp?.mode !== 'distributed') return undefined;
  const fewestSurvivors = Math.min(rosterSize, fewestSurvivorsOf(spec, rosterSize));
  const collusionFraction = spec.secureAggregation.collusionFraction ?? DEFAULT_COLLUSION_FRACTION;
  const colluders = colludersOf(rosterSize, collusionFraction);
  if (fewestSurvivors - colluders < 1) {
    throw new ConfigError(
      `differentialPrivacy.mode distributed needs an honest survivor to add noise, but a roster of ${rosterSize} may be aggregated from ${fewestSurvivors} survivors of whom ${colluders} may collude (secureAggregation.collusionFraction ${collusionFraction}); raise minParticipants or the threshold, or lower collusionFraction`,
      { rosterSize, fewestSurvivors, colluders, collusionFraction },
    );
  }
  return distributedNoise({ dp, rounds: spec.training.rounds, rosterSize, fewestSurvivors, colluders });
}
