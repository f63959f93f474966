/**
 * Tasks exactly as an honest coordinator would send them for a job spec and
 * a roster, built with the coordinator's own strategies and the shared plans
 * (common/round-plan.ts), so that an attack can change one thing and only
 * that thing is wrong. The result is a ScriptedTask for the hostile
 * coordinator: the roster's identity keys are filled in there, from the joins.
 */
import { createStrategy, type FitInstructions } from '../../coordinator';
import { evaluationVectorLength } from '../../common/evaluation-metrics';
import type { JobSpec } from '../../common/job-spec';
import { buildModel } from '../../common/model/build-model';
import { getWeightsVector } from '../../common/model/model-weights';
import { selectBackend } from '../../common/model/tf-backend';
import { distributedNoiseOf, secureCollectionOf } from '../../common/round-plan';
import type { CollectionPlan } from '../../common/secagg';
import type { ScriptedSecure, ScriptedTask } from './hostile-script';

/** How long each scripted task gives the agent, counted from when it is handed out. */
const DEADLINE_MS = 60_000;

/** The initial global model of the spec, as the coordinator builds it (float32 weights and their manifest). */
export async function initialModel(spec: JobSpec): Promise<{ hex: string; elementCount: number; tensors: Array<{ name: string; shape: number[] }> }> {
  await selectBackend({ needsConvolutionGradients: false });
  const { vector, tensors } = getWeightsVector(buildModel(spec.model, spec.seed));
  return { hex: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('hex'), elementCount: vector.length, tensors };
}

/** The fit instructions of a round over a roster of `rosterSize`: the strategy's, with the job's DP settings. */
export function honestFit(spec: JobSpec, round: number, rosterSize: number): FitInstructions {
  const fit = createStrategy(spec.strategy, spec.training).fitInstructions(round, rosterSize);
  const dp = spec.differentialPrivacy;
  if (!dp) return fit;
  return { ...fit, clipNorm: dp.clipNorm, noiseStd: distributedNoiseOf(spec, rosterSize)?.noiseStd ?? 0, weighting: 'uniform' };
}

function secureOf(plan: CollectionPlan | undefined, roster: string[]): ScriptedSecure | undefined {
  if (!plan) return undefined;
  const { encoding } = plan;
  const settings = {
    threshold: plan.threshold,
    degree: plan.degree,
    encoding: encoding.kind,
    clippingRange: encoding.kind === 'quantized' ? encoding.clippingRange : encoding.kind === 'skellam' ? encoding.scale : 0,
    maxWeight: encoding.kind === 'quantized' ? encoding.maxWeight : 0,
    encodedElementCount: plan.encodedElementCount,
    phaseTimeoutMs: plan.phaseTimeoutMs,
  };
  return { settings, roster };
}

/** Standardisation that changes nothing: one mean and one std per feature, as preprocessing would send. */
function neutralNormalization(spec: JobSpec): { mean: number[]; std: number[] } {
  const columns = spec.dataset.features.length;
  return { mean: new Array<number>(columns).fill(0), std: new Array<number>(columns).fill(1) };
}

/** The round-0 statistics task (sums and sums of squares of the features) for `roster`. */
export function honestStatisticsTask(spec: JobSpec, collectionId: string, roster: string[]): ScriptedTask {
  const elementCount = 1 + 2 * spec.dataset.features.length;
  return {
    header: { kind: 'TASK_KIND_STATISTICS', round: 0, collectionId },
    deadlineInMs: DEADLINE_MS,
    secure: secureOf(secureCollectionOf(spec, { kind: 'sums', elementCount }, roster.length), roster),
  };
}

/** An evaluation of the global model after `round` for `roster`: only sums come back. */
export function honestEvaluateTask(spec: JobSpec, model: Awaited<ReturnType<typeof initialModel>>, round: number, collectionId: string, roster: string[]): ScriptedTask {
  return {
    header: {
      kind: 'TASK_KIND_EVALUATE',
      round,
      collectionId,
      normalization: spec.preprocessing.normalize ? neutralNormalization(spec) : undefined,
      model: { elementCount: model.elementCount, dtype: 'DTYPE_FLOAT32', tensors: model.tensors },
    },
    deadlineInMs: DEADLINE_MS,
    secure: secureOf(secureCollectionOf(spec, { kind: 'sums', elementCount: evaluationVectorLength(spec.dataset.labelType) }, roster.length), roster),
    modelHex: model.hex,
  };
}

/** A fit task of `round` for `roster` with the global model; `fit` replaces instructions (the attack). */
export function honestFitTask(spec: JobSpec, model: Awaited<ReturnType<typeof initialModel>>, round: number, collectionId: string, roster: string[], fit: FitInstructions = honestFit(spec, round, roster.length)): ScriptedTask {
  const honest = honestFit(spec, round, roster.length);
  // The secure settings follow from the approved instructions: only what the attack names differs.
  const update = { kind: 'update' as const, elementCount: model.elementCount, clipNorm: honest.clipNorm, noiseStd: honest.noiseStd, weighting: honest.weighting };
  return {
    header: {
      kind: 'TASK_KIND_FIT',
      round,
      collectionId,
      fit,
      normalization: spec.preprocessing.normalize ? neutralNormalization(spec) : undefined,
      model: { elementCount: model.elementCount, dtype: 'DTYPE_FLOAT32', tensors: model.tensors },
    },
    deadlineInMs: DEADLINE_MS,
    secure: secureOf(secureCollectionOf(spec, update, roster.length), roster),
    modelHex: model.hex,
  };
}
