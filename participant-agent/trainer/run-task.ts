/**
 * What the trainer does with one task, on the organisation's own data:
 * feature sums for normalisation, local training, or evaluation sums.
 * Pure with respect to I/O: the caller reads the inputs and writes outputs.
 */
import { buildEvaluationVector } from '../../common/evaluation-metrics';
import { buildModel, inputWidth } from '../../common/model/build-model';
import { getWeightsVector, setWeightsVector } from '../../common/model/model-weights';
import { meanGradient, predict, trainModel } from '../../common/model/train-loop';
import { applyNormalization, statisticsVector } from '../../common/normalization';
import { createRng, shuffleInPlace } from '../../common/random';
import { DatasetError, takeRows, type TabularData } from '../../common/tabular-dataset';
import { evaluationTensors, modelTensors, statisticsTensors } from './contribution-tensors';
import type { TensorDeclaration, TrainerResult, TrainerTask } from './trainer-contract';

export interface TaskOutput {
  weight: number;
  contribution: Float32Array | Float64Array;
  epochLosses: number[];
  /** What the contribution holds, tensor by tensor, as the trainer produced it. */
  tensors: TensorDeclaration[];
  metrics: Record<string, number>;
}

/** The organisation's rows split once per job into training and validation, the same split every round. */
export function splitRows(data: TabularData, validationFraction: number, seed: number): { train: TabularData; validation: TabularData } {
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  shuffleInPlace(order, createRng(`${seed}:validation-split`));
  const validationRows = Math.max(1, Math.round(data.rows * validationFraction));
  if (data.rows - validationRows < 1) throw new DatasetError('DATASET_INVALID', `the dataset has ${data.rows} rows, too few to keep ${validationRows} for validation`);
  return { validation: takeRows(data, order.subarray(0, validationRows)), train: takeRows(data, order.subarray(validationRows)) };
}

function normalized(data: TabularData, task: TrainerTask): TabularData {
  return task.normalization ? { ...data, features: applyNormalization(data.features, data.columns, task.normalization) } : data;
}

export function runTask(task: TrainerTask, data: TabularData, globalWeights: Float32Array | null): TaskOutput {
  const { train, validation } = splitRows(data, task.validationFraction, task.seed);
  if (task.kind === 'statistics') {
    const contribution = statisticsVector(train.features, train.rows, train.columns);
    return { weight: 1, contribution, epochLosses: [], tensors: statisticsTensors(train.columns), metrics: {} };
  }
  if (!globalWeights) throw new Error(`a ${task.kind} task needs the global model`);
  const model = buildModel(task.model, task.seed);
  try {
    if (inputWidth(model) !== data.columns) {
      throw new DatasetError('DATASET_INVALID', `the model expects ${inputWidth(model)} input features; the job selects ${data.columns} columns`);
    }
    setWeightsVector(model, globalWeights);
    const settings = { loss: task.model.loss, labelType: task.dataset.labelType, classes: task.dataset.classes };
    if (task.kind === 'evaluate') {
      const rows = normalized(validation, task);
      const predictions = predict(model, rows);
      const contribution = buildEvaluationVector({ labelType: task.dataset.labelType, labels: rows.labels, predictions, classes: task.dataset.classes });
      return { weight: 1, contribution, epochLosses: [], tensors: evaluationTensors(contribution.length, dtypeOf(contribution)), metrics: {} };
    }
    const fit = task.fit;
    if (!fit) throw new Error('a fit task needs fit instructions');
    const rows = normalized(train, task);
    const trainSettings = { ...settings, epochs: fit.localEpochs, batchSize: fit.batchSize, learningRate: fit.learningRate, optimizer: fit.optimizer, proximalMu: fit.proximalMu, seed: `${task.seed}:${task.round}` };
    if (fit.mode === 'gradient') {
      const gradient = meanGradient(model, rows, trainSettings);
      // meanGradient does not compute the loss, so a gradient step reports no metric.
      return { weight: rows.rows, contribution: gradient.map((g) => -g), epochLosses: [], tensors: modelTensors(model), metrics: {} };
    }
    const epochLosses = trainModel(model, rows, trainSettings);
    const local = getWeightsVector(model).vector;
    const update = new Float32Array(local.length);
    for (let i = 0; i < local.length; i++) update[i] = local[i] - globalWeights[i];
    return { weight: rows.rows, contribution: update, epochLosses, tensors: modelTensors(model), metrics: { loss: epochLosses[epochLosses.length - 1] } };
  } finally {
    model.dispose();
  }
}

function dtypeOf(vector: Float32Array | Float64Array): TensorDeclaration['dtype'] {
  return vector instanceof Float64Array ? 'float64' : 'float32';
}

/** The result.json record for a finished task. */
export function trainerResult(kind: TrainerTask['kind'], output: TaskOutput, backend: string, seconds: number): TrainerResult {
  return {
    kind,
    weight: output.weight,
    elementCount: output.contribution.length,
    dtype: dtypeOf(output.contribution),
    backend,
    epochLosses: output.epochLosses,
    seconds,
    tensors: output.tensors,
    metrics: output.metrics,
  };
}
