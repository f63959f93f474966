/**
 * The names and shapes of the tensors in a contribution. The trainer reports
 * them in result.json and the agent derives the same list from the job spec,
 * so both sides must name tensors by this one definition.
 */
import { weightManifest } from '../../common/model/model-weights';
import type { tfl } from '../../common/model/tf';
import type { TensorDeclaration } from './trainer-contract';

type Model = InstanceType<typeof tfl.LayersModel>;

export const STATISTICS_TENSOR = 'statistics';
export const EVALUATION_TENSOR = 'evaluation';

/**
 * One entry per model weight in getWeights order. Names come from
 * weightManifest ("<layer index>/<weight kind>"), the names the coordinator
 * already sends as the model's manifest, rather than tfjs's layer names,
 * which carry process-wide counters and differ between two processes.
 */
export function modelTensors(model: Model): TensorDeclaration[] {
  const manifest = weightManifest(model);
  return model.weights.map((weight, i) => {
    // The wire carries models as one float32 vector; a weight of another dtype could not travel in it.
    if (weight.dtype !== 'float32') throw new Error(`weight ${manifest[i].name} is ${weight.dtype}; only float32 weights can be contributed`);
    return { name: manifest[i].name, shape: manifest[i].shape, dtype: 'float32' };
  });
}

/** Feature sums: the row count, then a sum and a sum of squares per column. */
export function statisticsTensors(columns: number): TensorDeclaration[] {
  return [{ name: STATISTICS_TENSOR, shape: [1 + 2 * columns], dtype: 'float64' }];
}

export function evaluationTensors(length: number, dtype: TensorDeclaration['dtype']): TensorDeclaration[] {
  return [{ name: EVALUATION_TENSOR, shape: [length], dtype }];
}
