/**
 * Federated evaluation from sums. Each organisation turns its labels and
 * predictions into one fixed-length vector of counts and sums; an aggregator
 * adds the vectors element-wise (possibly under secure aggregation, which
 * only ever reveals the total), and summarising the total gives exactly the
 * metrics of the pooled data. AUC is carried as two score histograms rather
 * than per-example scores, so no individual prediction leaves its owner.
 */
import { ShoalError } from './errors';

/** Score histogram resolution; AUC from histograms differs from the exact value only through ties within a bin. */
export const AUC_BINS = 1000;

export type LabelType = 'binary' | 'categorical' | 'continuous';

export interface EvaluationInput {
  labelType: LabelType;
  labels: Float32Array;
  /** binary and continuous: one per example; categorical: row-major examples × classes probabilities. */
  predictions: Float32Array;
  /** Required for categorical. */
  classes?: number;
}

export interface EvaluationSummary {
  examples: number;
  /** Mean loss: binary cross-entropy, categorical cross-entropy, or mean squared error. */
  loss: number;
  /** Null for continuous labels. */
  accuracy: number | null;
  /** Null unless binary, and null when either class is absent (AUC is undefined then). */
  auc: number | null;
}

const EXAMPLES = 0;
const LOSS_SUM = 1;
const CORRECT = 2;
const POSITIVE_HISTOGRAM = 3;
const NEGATIVE_HISTOGRAM = POSITIVE_HISTOGRAM + AUC_BINS;

// Keeps log-loss finite for confidently wrong predictions; the usual Keras epsilon.
const PROBABILITY_EPSILON = 1e-7;

function invalidArgument(message: string, details: Record<string, unknown> = {}): ShoalError {
  return new ShoalError('INVALID_ARGUMENT', message, { component: 'common', details });
}

function clipProbability(p: number): number {
  return Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, p));
}

function checkProbability(p: number, index: number): void {
  // A NaN would silently poison every organisation's total once summed.
  if (!(p >= 0 && p <= 1)) throw invalidArgument(`prediction ${index} must be a probability in [0, 1], got ${p}`, { index });
}

export function evaluationVectorLength(labelType: LabelType): number {
  return labelType === 'binary' ? 3 + 2 * AUC_BINS : 3;
}

/** The bin a probability falls in; p = 1 shares the top bin. */
function scoreBin(p: number): number {
  return Math.min(AUC_BINS - 1, Math.floor(p * AUC_BINS));
}

function fillBinary(vector: Float64Array, labels: Float32Array, predictions: Float32Array): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    const p = predictions[i];
    if (label !== 0 && label !== 1) throw invalidArgument(`binary label ${i} must be 0 or 1, got ${label}`, { index: i });
    checkProbability(p, i);
    const clipped = clipProbability(p);
    vector[LOSS_SUM] -= label === 1 ? Math.log(clipped) : Math.log(1 - clipped);
    if ((p >= 0.5) === (label === 1)) vector[CORRECT] += 1;
    vector[(label === 1 ? POSITIVE_HISTOGRAM : NEGATIVE_HISTOGRAM) + scoreBin(p)] += 1;
  }
}

function fillCategorical(vector: Float64Array, labels: Float32Array, predictions: Float32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw invalidArgument(`categorical label ${i} must be a class index in [0, ${classes}), got ${label}`, { index: i });
    }
    const row = i * classes;
    // The first maximum wins a tie, as tf.argMax does.
    let best = 0;
    for (let c = 0; c < classes; c++) {
      checkProbability(predictions[row + c], row + c);
      if (predictions[row + c] > predictions[row + best]) best = c;
    }
    vector[LOSS_SUM] -= Math.log(clipProbability(predictions[row + label]));
    if (best === label) vector[CORRECT] += 1;
  }
}

function fillContinuous(vector: Float64Array, labels: Float32Array, predictions: Float32Array): void {
  for (let i = 0; i < labels.length; i++) {
    const error = predictions[i] - labels[i];
    if (!Number.isFinite(error)) throw invalidArgument(`label and prediction ${i} must be finite`, { index: i });
    vector[LOSS_SUM] += error * error;
  }
}

/** One organisation's contribution: [exampleCount, lossSum, correctCount, positive histogram…, negative histogram…]. */
export function buildEvaluationVector(input: EvaluationInput): Float64Array {
  const { labelType, labels, predictions } = input;
  const examples = labels.length;
  const vector = new Float64Array(evaluationVectorLength(labelType));
  vector[EXAMPLES] = examples;
  if (labelType === 'categorical') {
    const classes = input.classes;
    if (classes === undefined || !Number.isInteger(classes) || classes < 2) {
      throw invalidArgument(`classes must be an integer >= 2 for categorical labels, got ${classes}`, { classes });
    }
    if (predictions.length !== examples * classes) {
      throw invalidArgument(`predictions must hold examples × classes = ${examples * classes} values, got ${predictions.length}`);
    }
    fillCategorical(vector, labels, predictions, classes);
    return vector;
  }
  if (predictions.length !== examples) {
    throw invalidArgument(`predictions must hold one value per example (${examples}), got ${predictions.length}`);
  }
  if (labelType === 'binary') fillBinary(vector, labels, predictions);
  else fillContinuous(vector, labels, predictions);
  return vector;
}

function histogramTotal(values: ArrayLike<number>): number {
  let total = 0;
  for (let b = 0; b < values.length; b++) {
    if (!(values[b] >= 0)) throw invalidArgument(`histogram bin ${b} must be a count >= 0, got ${values[b]}`);
    total += values[b];
  }
  return total;
}

/**
 * P(score of a random positive > score of a random negative) from score
 * histograms with ascending bins; a positive and a negative in the same bin
 * count 1/2. Throws when either histogram is empty, because AUC is undefined
 * then and 0.5 would look like a real (useless) classifier.
 */
export function histogramAuc(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  if (positive.length !== negative.length) {
    throw invalidArgument(`histograms must have equal length, got ${positive.length} and ${negative.length}`);
  }
  const positives = histogramTotal(positive);
  const negatives = histogramTotal(negative);
  if (positives === 0 || negatives === 0) {
    throw invalidArgument('AUC is undefined without both positive and negative examples', { positives, negatives });
  }
  let negativesBelow = 0;
  let wins = 0;
  for (let b = 0; b < positive.length; b++) {
    wins += positive[b] * (negativesBelow + 0.5 * negative[b]);
    negativesBelow += negative[b];
  }
  return wins / (positives * negatives);
}

/** Metrics of a (summed) evaluation vector, as means over its examples. */
export function summarizeEvaluation(vector: Float64Array, labelType: LabelType): EvaluationSummary {
  const expected = evaluationVectorLength(labelType);
  if (vector.length !== expected) {
    throw invalidArgument(`a ${labelType} evaluation vector has ${expected} values, got ${vector.length}`);
  }
  const examples = vector[EXAMPLES];
  if (!(examples > 0)) {
    throw new ShoalError('NO_EXAMPLES', `cannot summarise an evaluation over ${examples} examples`, {
      component: 'common',
      details: { examples },
    });
  }
  let auc: number | null = null;
  if (labelType === 'binary') {
    const positive = vector.subarray(POSITIVE_HISTOGRAM, NEGATIVE_HISTOGRAM);
    const negative = vector.subarray(NEGATIVE_HISTOGRAM, NEGATIVE_HISTOGRAM + AUC_BINS);
    auc = histogramTotal(positive) > 0 && histogramTotal(negative) > 0 ? histogramAuc(positive, negative) : null;
  }
  return {
    examples,
    loss: vector[LOSS_SUM] / examples,
    accuracy: labelType === 'continuous' ? null : vector[CORRECT] / examples,
    auc,
  };
}

/**
 * Exact AUC via the Mann–Whitney U statistic, tied scores sharing their
 * average rank; for held-out evaluation where the scores sit in one place.
 */
export function exactAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length) {
    throw invalidArgument(`labels and scores must have equal length, got ${labels.length} and ${scores.length}`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order) {
    if (labels[i] !== 0 && labels[i] !== 1) throw invalidArgument(`label ${i} must be 0 or 1, got ${labels[i]}`, { index: i });
    if (Number.isNaN(scores[i])) throw invalidArgument(`score ${i} is NaN`, { index: i });
  }
  // A comparison rather than a subtraction, so infinite scores sort too.
  order.sort((a, b) => (scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    // Ranks are 1-based; the tie group start..end shares their mean.
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) {
    throw invalidArgument('AUC is undefined without both positive and negative examples', { positives, negatives });
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}
