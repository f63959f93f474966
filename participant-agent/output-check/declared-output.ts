/**
 * What a job's spec says each task may produce, derived by the agent on its
 * own from the spec it accepted, never from anything the trainer wrote.
 */
import { evaluationVectorLength } from '../../common/evaluation-metrics';
import type { JobSpec } from '../../common/job-spec';
import { buildModel } from '../../common/model/build-model';
import { tf } from '../../common/model/tf';
import { evaluationTensors, modelTensors, statisticsTensors } from '../trainer/contribution-tensors';
import type { TensorDeclaration, TrainerTask } from '../trainer/trainer-contract';

export function declaredTensors(spec: JobSpec, kind: TrainerTask['kind']): TensorDeclaration[] {
  if (kind === 'statistics') return statisticsTensors(spec.dataset.features.length);
  // buildEvaluationVector always accumulates in float64.
  if (kind === 'evaluate') return evaluationTensors(evaluationVectorLength(spec.dataset.labelType), 'float64');
  const model = buildModelForShapes(spec.model, spec.seed);
  try {
    return modelTensors(model);
  } finally {
    model.dispose();
  }
}

/** Parameters of the declared model, trainable or not: every one of them travels in a fit contribution. */
export function countParameters(model: JobSpec['model']): number {
  // The seed only changes initial values, never the count.
  const built = buildModelForShapes(model, 0);
  try {
    return built.weights.reduce((sum, weight) => sum + weight.shape.reduce<number>((product, dim) => product * (dim ?? 0), 1), 0);
  } finally {
    built.dispose();
  }
}

/** Scalars a task may report beside its contribution. */
export function declaredMetrics(spec: JobSpec, kind: TrainerTask['kind']): string[] {
  return kind === 'fit' ? ['loss'] : [];
}

/**
 * Shapes need a backend only to hold initial values. A process that picked
 * none (the agent trains nothing itself) gets the synchronous cpu backend
 * rather than tfjs's default, wasm, whose start is asynchronous and so
 * fails a synchronous first use; a process that selected one keeps it.
 */
function buildModelForShapes(model: JobSpec['model'], seed: number): ReturnType<typeof buildModel> {
  if (!tf.engine().backendName) void tf.setBackend('cpu');
  return buildModel(model, seed);
}
