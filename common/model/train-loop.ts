/**
 * Local training with an explicit loop (rather than model.fit) so that the
 * shuffling is seeded, FedProx's proximal term can join the loss, and FedSGD
 * can take the mean gradient without changing the weights.
 */
import { createRng, shuffleInPlace } from '../random';
import type { TabularData } from '../tabular-dataset';
import { lossTensor, type LossName } from './losses';
import { tf, tfl } from './tf';

type Model = InstanceType<typeof tfl.LayersModel>;

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'sgd' | 'adam' | 'rmsprop' | 'adagrad';
  proximalMu: number;
  loss: LossName;
  labelType: 'binary' | 'categorical' | 'continuous';
  classes?: number;
  seed: number | string;
}

function makeOptimizer(name: TrainSettings['optimizer'], learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd': return tf.train.sgd(learningRate);
    case 'adam': return tf.train.adam(learningRate);
    case 'rmsprop': return tf.train.rmsprop(learningRate);
    case 'adagrad': return tf.train.adagrad(learningRate);
  }
}

/** Labels shaped as the model's output: [n, 1] for binary/continuous, one-hot [n, classes] for categorical. */
export function labelTensor(labels: Float32Array, settings: Pick<TrainSettings, 'labelType' | 'classes'>): tf.Tensor2D {
  if (settings.labelType === 'categorical') {
    return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), settings.classes ?? 2), 'float32') as tf.Tensor2D);
  }
  return tf.tensor2d(labels, [labels.length, 1]);
}

function trainableVariables(model: Model): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

function batches(rows: number, batchSize: number, order: Int32Array): Int32Array[] {
  const out: Int32Array[] = [];
  for (let start = 0; start < rows; start += batchSize) out.push(order.subarray(start, Math.min(rows, start + batchSize)));
  return out;
}

/** Trains in place; returns the mean training loss of each epoch. */
export function trainModel(model: Model, data: TabularData, settings: TrainSettings, onEpoch?: (epoch: number, loss: number) => void): number[] {
  const rng = createRng(settings.seed);
  const optimizer = makeOptimizer(settings.optimizer, settings.learningRate);
  const variables = trainableVariables(model);
  const anchors = settings.proximalMu > 0 ? variables.map((v) => tf.clone(v)) : [];
  const x = tf.tensor2d(data.features, [data.rows, data.columns]);
  const y = labelTensor(data.labels, settings);
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  const history: number[] = [];
  try {
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      shuffleInPlace(order, rng);
      let lossSum = 0;
      for (const batch of batches(data.rows, settings.batchSize, order)) {
        const [xb, yb] = tf.tidy(() => {
          const index = tf.tensor1d(batch, 'int32');
          return [tf.gather(x, index), tf.gather(y, index)];
        });
        const cost = optimizer.minimize(() => {
          const predictions = model.apply(xb, { training: true }) as tf.Tensor;
          let loss = lossTensor(settings.loss, yb, predictions);
          if (anchors.length > 0) {
            // FedProx: (mu / 2) * ||w - w_global||^2 keeps local weights near the round's global model.
            const drift = tf.addN(variables.map((v, i) => tf.sum(tf.squaredDifference(v, anchors[i]))));
            loss = tf.add(loss, tf.mul(settings.proximalMu / 2, drift)) as tf.Scalar;
          }
          return loss;
        }, true, variables);
        lossSum += (cost?.dataSync()[0] ?? 0) * batch.length;
        tf.dispose([xb, yb]);
        cost?.dispose();
      }
      history.push(lossSum / data.rows);
      onEpoch?.(epoch, lossSum / data.rows);
    }
  } finally {
    tf.dispose([x, y, ...anchors]);
    optimizer.dispose();
  }
  return history;
}

/** FedSGD: the example-weighted mean gradient over all local rows, in weight-manifest order (trainable weights only; others 0). */
export function meanGradient(model: Model, data: TabularData, settings: TrainSettings): Float32Array {
  const variables = trainableVariables(model);
  const sums = variables.map((v) => new Float64Array(v.size));
  const x = tf.tensor2d(data.features, [data.rows, data.columns]);
  const y = labelTensor(data.labels, settings);
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  try {
    for (const batch of batches(data.rows, settings.batchSize, order)) {
      const { grads } = tf.tidy(() => {
        const index = tf.tensor1d(batch, 'int32');
        const xb = tf.gather(x, index);
        const yb = tf.gather(y, index);
        return tf.variableGrads(() => lossTensor(settings.loss, yb, model.apply(xb, { training: true }) as tf.Tensor), variables);
      });
      variables.forEach((v, i) => {
        const g = grads[v.name].dataSync();
        for (let j = 0; j < g.length; j++) sums[i][j] += g[j] * batch.length;
      });
      tf.dispose(Object.values(grads));
    }
  } finally {
    tf.dispose([x, y]);
  }
  // Lay the gradients out like getWeightsVector: all weights in order, non-trainable ones get zero.
  const trainableIds = new Map(variables.map((v, i) => [v.name, i]));
  const parts = model.weights.map((weight) => {
    const i = trainableIds.get((weight.read() as tf.Variable).name);
    const part = new Float32Array(weight.shape.reduce<number>((a, b) => a * (b ?? 1), 1));
    if (i !== undefined) for (let j = 0; j < part.length; j++) part[j] = sums[i][j] / data.rows;
    return part;
  });
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Model outputs for every row, flattened row-major. */
export function predict(model: Model, data: Pick<TabularData, 'features' | 'rows' | 'columns'>, batchSize = 4096): Float32Array {
  const outputs: Float32Array[] = [];
  for (let start = 0; start < data.rows; start += batchSize) {
    const end = Math.min(data.rows, start + batchSize);
    const result = tf.tidy(() => (model.predict(tf.tensor2d(data.features.subarray(start * data.columns, end * data.columns), [end - start, data.columns])) as tf.Tensor).dataSync() as Float32Array);
    outputs.push(Float32Array.from(result));
  }
  const total = outputs.reduce((n, o) => n + o.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const o of outputs) {
    out.set(o, offset);
    offset += o.length;
  }
  return out;
}
