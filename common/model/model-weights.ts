/**
 * A model's weights as one flat Float32Array plus a manifest of tensor names
 * and shapes, which is what travels over the wire and into checkpoints.
 */
import { WireFormatError } from '../errors';
import type { TensorSpec } from '../../proto/generated/shoal/v1/TensorSpec';
import { tf, tfl } from './tf';

type Model = InstanceType<typeof tfl.LayersModel>;

export interface WeightsVector {
  vector: Float32Array;
  tensors: Array<{ name: string; shape: number[] }>;
}

export function weightManifest(model: Model): Array<{ name: string; shape: number[] }> {
  const names = new Map<string, number>();
  return model.weights.map((weight) => {
    // Layer names carry process-wide counters; index + short name is stable across processes.
    const layerIndex = model.layers.findIndex((layer) => layer.weights.includes(weight));
    const base = `${layerIndex}/${weight.originalName.split('/').pop()}`;
    const seen = names.get(base) ?? 0;
    names.set(base, seen + 1);
    return { name: seen === 0 ? base : `${base}_${seen}`, shape: weight.shape.map((d) => d ?? 0) };
  });
}

export function getWeightsVector(model: Model): WeightsVector {
  const tensors = model.getWeights();
  const total = tensors.reduce((sum, t) => sum + t.size, 0);
  const vector = new Float32Array(total);
  let offset = 0;
  for (const tensor of tensors) {
    vector.set(tensor.dataSync() as Float32Array, offset);
    offset += tensor.size;
  }
  return { vector, tensors: weightManifest(model) };
}

export function setWeightsVector(model: Model, vector: Float32Array): void {
  const manifest = weightManifest(model);
  const total = manifest.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  if (vector.length !== total) {
    throw new WireFormatError(`model vector has ${vector.length} elements; the model has ${total} parameters`);
  }
  let offset = 0;
  const tensors = manifest.map(({ shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(vector.subarray(offset, offset + size), shape, 'float32');
    offset += size;
    return tensor;
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Manifest equality: same names and shapes in the same order. */
export function sameManifest(a: TensorSpec[] | Array<{ name: string; shape: number[] }>, b: Array<{ name: string; shape: number[] }>): boolean {
  return a.length === b.length && a.every((t, i) => t.name === b[i].name && (t.shape ?? []).length === b[i].shape.length && (t.shape ?? []).every((d, j) => Number(d) === b[i].shape[j]));
}
