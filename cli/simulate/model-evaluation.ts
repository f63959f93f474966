/**
 * Trains the centralized baseline and evaluates models on the held-out rows
 * (which no organisation held), so the federated and centralized models are
 * compared on exactly the same data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEvaluationVector, exactAuc, summarizeEvaluation } from '../../common/evaluation-metrics';
import type { JobSpec } from '../../common/job-spec';
import { buildModel } from '../../common/model/build-model';
import { predict, trainModel } from '../../common/model/train-loop';
import { tfl } from '../../common/model/tf';
import { applyNormalization, normalizationFromSums, statisticsVector, type NormalizationStats } from '../../common/normalization';
import type { TabularData } from '../../common/tabular-dataset';

type Model = InstanceType<typeof tfl.LayersModel>;

export interface HeldOutMetrics {
  auc: number | null;
  accuracy: number | null;
  loss: number;
}

export function evaluateOnHeldOut(model: Model, spec: JobSpec, heldOut: TabularData, normalization: NormalizationStats | null): HeldOutMetrics {
  const features = normalization ? applyNormalization(heldOut.features, heldOut.columns, normalization) : heldOut.features;
  const predictions = predict(model, { features, rows: heldOut.rows, columns: heldOut.columns });
  const summary = summarizeEvaluation(buildEvaluationVector({ labelType: spec.dataset.labelType, labels: heldOut.labels, predictions, classes: spec.dataset.classes }), spec.dataset.labelType);
  const auc = spec.dataset.labelType === 'binary' ? exactAuc(heldOut.labels, predictions) : null;
  return { auc, accuracy: summary.accuracy, loss: summary.loss };
}

/** The same model trained on the pooled rows with the federated job's total budget of epochs. */
export function trainCentralized(spec: JobSpec, pooled: TabularData): { model: Model; normalization: NormalizationStats | null; epochs: number } {
  const normalization = spec.preprocessing.normalize ? normalizationFromSums(statisticsVector(pooled.features, pooled.rows, pooled.columns), pooled.columns) : null;
  const rows = normalization ? { ...pooled, features: applyNormalization(pooled.features, pooled.columns, normalization) } : pooled;
  const model = buildModel(spec.model, spec.seed);
  const epochs = spec.training.rounds * spec.training.localEpochs;
  trainModel(model, rows, {
    epochs,
    batchSize: spec.training.batchSize,
    learningRate: spec.training.learningRate,
    optimizer: spec.training.optimizer,
    proximalMu: 0,
    loss: spec.model.loss,
    labelType: spec.dataset.labelType,
    classes: spec.dataset.classes,
    seed: `${spec.seed}:centralized`,
  });
  return { model, normalization, epochs };
}

/** Loads the coordinator's final model through tfjs's own loader, proving the saved files are a valid tfjs model. */
export async function loadJobModel(jobDir: string): Promise<{ model: Model; normalization: NormalizationStats | null }> {
  const modelDir = join(jobDir, 'model');
  const modelJson = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  const weights = readFileSync(join(modelDir, 'weights.bin'));
  const model = await tfl.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  });
  const stored = JSON.parse(readFileSync(join(modelDir, 'normalization.json'), 'utf8'));
  return { model, normalization: stored.mean ? { mean: stored.mean, std: stored.std } : null };
}
