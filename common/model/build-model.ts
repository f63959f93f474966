/**
 * Builds a tfjs Sequential model from the job spec's declarative topology.
 * Only allowlisted layer classes exist here, so a job spec cannot make an
 * organisation run arbitrary code. Kernels get seeded initialisers so every
 * run of a job starts from the same weights.
 */
import { ConfigError, errorMessage } from '../errors';
import type { JobSpec } from '../job-spec';
import { LAYERS_NEEDING_CPU_BACKEND } from '../job-spec';
import { tfl } from './tf';

type ModelSpec = JobSpec['model'];
type LayerFactory = (config: never) => InstanceType<typeof tfl.layers.Layer>;

const FACTORIES: Record<ModelSpec['layers'][number]['className'], LayerFactory> = {
  Dense: tfl.layers.dense as LayerFactory,
  Dropout: tfl.layers.dropout as LayerFactory,
  Flatten: tfl.layers.flatten as LayerFactory,
  Reshape: tfl.layers.reshape as LayerFactory,
  Activation: tfl.layers.activation as LayerFactory,
  Conv2D: tfl.layers.conv2d as LayerFactory,
  MaxPooling2D: tfl.layers.maxPooling2d as LayerFactory,
  AveragePooling2D: tfl.layers.averagePooling2d as LayerFactory,
  BatchNormalization: tfl.layers.batchNormalization as LayerFactory,
};

const HAS_KERNEL = new Set(['Dense', 'Conv2D']);

export function needsConvolutionGradients(model: ModelSpec): boolean {
  return model.layers.some((layer) => LAYERS_NEEDING_CPU_BACKEND.includes(layer.className));
}

export function buildModel(model: ModelSpec, seed: number): InstanceType<typeof tfl.Sequential> {
  const sequential = tfl.sequential();
  model.layers.forEach((layer, index) => {
    const config: Record<string, unknown> = { ...layer.config };
    if (HAS_KERNEL.has(layer.className) && config.kernelInitializer === undefined) {
      config.kernelInitializer = tfl.initializers.glorotUniform({ seed: seed * 1009 + index });
    }
    if (layer.className === 'Dropout' && config.seed === undefined) config.seed = seed * 1013 + index;
    try {
      sequential.add(FACTORIES[layer.className](config as never));
    } catch (err) {
      throw new ConfigError(`model.layers[${index}] (${layer.className}) cannot be built: ${errorMessage(err)}`, { path: `model.layers[${index}]` }, err);
    }
  });
  return sequential;
}

/** Number of input features the model expects (the product of the first layer's input shape). */
export function inputWidth(model: InstanceType<typeof tfl.Sequential>): number {
  const shape = model.inputs[0].shape.slice(1);
  return shape.reduce<number>((product, dim) => product * (dim ?? 1), 1);
}
