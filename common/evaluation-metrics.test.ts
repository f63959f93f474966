import {
  AUC_BINS,
  LabelType,
  buildEvaluationVector,
  evaluationVectorLength,
  exactAuc,
  histogramAuc,
  summarizeEvaluation,
} from './evaluation-metrics';
import { Rng, createRng } from './random';

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Noisy but informative binary scores: positives score higher on average. */
function binaryData(n: number, rng: Rng): { labels: Float32Array; predictions: Float32Array } {
  const labels = new Float32Array(n);
  const predictions = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng() < 0.4 ? 1 : 0;
    predictions[i] = sigmoid(1.5 * (2 * labels[i] - 1) + normal(rng));
  }
  return { labels, predictions };
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((value, i) => value + b[i]);
}

// Every value below is exact in float32, so bins and losses can be written by hand.
describe('buildEvaluationVector and summarizeEvaluation on hand-made data', () => {
  it('binary: counts, cross-entropy, accuracy, histograms and AUC', () => {
    const labels = Float32Array.from([1, 0, 1, 0]);
    const predictions = Float32Array.from([0.875, 0.25, 0.375, 0.625]);

    const vector = buildEvaluationVector({ labelType: 'binary', labels, predictions });
    const summary = summarizeEvaluation(vector, 'binary');

    const lossSum = -(Math.log(0.875) + Math.log(0.75) + Math.log(0.375) + Math.log(0.375));
    expect(vector).toHaveLength(3 + 2 * AUC_BINS);
    expect(vector[0]).toBe(4);
    expect(vector[1]).toBeCloseTo(lossSum, 12);
    expect(vector[2]).toBe(2);
    const positiveBins = [...vector.subarray(3, 3 + AUC_BINS).entries()].filter(([, c]) => c > 0);
    const negativeBins = [...vector.subarray(3 + AUC_BINS).entries()].filter(([, c]) => c > 0);
    expect(positiveBins).toEqual([[375, 1], [875, 1]]);
    expect(negativeBins).toEqual([[250, 1], [625, 1]]);
    // Positive/negative pairs: 0.875 beats both, 0.375 beats 0.25 only: 3 of 4.
    expect(summary).toEqual({ examples: 4, loss: expect.closeTo(lossSum / 4, 12), accuracy: 0.5, auc: 0.75 });
  });

  it('binary: clips certain predictions, counts 0.5 as positive, and puts 0 and 1 in the end bins', () => {
    const labels = Float32Array.from([1, 0, 1, 0]);
    const predictions = Float32Array.from([0, 1, 0.5, 0.5]);

    const vector = buildEvaluationVector({ labelType: 'binary', labels, predictions });

    expect(vector[1]).toBeCloseTo(-2 * Math.log(1e-7) - 2 * Math.log(0.5), 6);
    expect(vector[2]).toBe(1);
    expect(vector[3 + 0]).toBe(1);
    expect(vector[3 + 500]).toBe(1);
    expect(vector[3 + AUC_BINS + 999]).toBe(1);
    expect(vector[3 + AUC_BINS + 500]).toBe(1);
  });

  it('categorical: cross-entropy of the true class and argmax accuracy', () => {
    const labels = Float32Array.from([2, 0, 1]);
    const predictions = Float32Array.from([0.125, 0.25, 0.625, 0.5, 0.25, 0.25, 0.5, 0.25, 0.25]);

    const vector = buildEvaluationVector({ labelType: 'categorical', labels, predictions, classes: 3 });

    const lossSum = -(Math.log(0.625) + Math.log(0.5) + Math.log(0.25));
    expect(Array.from(vector)).toEqual([3, expect.closeTo(lossSum, 12), 2]);
    expect(summarizeEvaluation(vector, 'categorical')).toEqual({
      examples: 3,
      loss: expect.closeTo(lossSum / 3, 12),
      accuracy: 2 / 3,
      auc: null,
    });
  });

  it('categorical: a tie for the largest probability goes to the first class', () => {
    const vector = buildEvaluationVector({
      labelType: 'categorical',
      labels: Float32Array.from([1]),
      predictions: Float32Array.from([0.5, 0.5, 0]),
      classes: 3,
    });

    expect(vector[2]).toBe(0);
  });

  it('continuous: squared error, no accuracy or AUC', () => {
    const vector = buildEvaluationVector({
      labelType: 'continuous',
      labels: Float32Array.from([1, 2, 3]),
      predictions: Float32Array.from([1.5, 2, 2]),
    });

    expect(Array.from(vector)).toEqual([3, 1.25, 0]);
    expect(summarizeEvaluation(vector, 'continuous')).toEqual({ examples: 3, loss: 1.25 / 3, accuracy: null, auc: null });
  });

  it('gives the vector lengths the layout promises', () => {
    expect(evaluationVectorLength('binary')).toBe(2003);
    expect(evaluationVectorLength('categorical')).toBe(3);
    expect(evaluationVectorLength('continuous')).toBe(3);
  });
});

describe('summing vectors equals pooling the data', () => {
  it.each<LabelType>(['binary', 'categorical', 'continuous'])('%s: two halves summarise like the whole', (labelType) => {
    const rng = createRng(`halves-${labelType}`);
    const n = 1001;
    const classes = 4;
    let labels: Float32Array;
    let predictions: Float32Array;
    let width = 1;
    if (labelType === 'binary') {
      ({ labels, predictions } = binaryData(n, rng));
    } else if (labelType === 'categorical') {
      width = classes;
      labels = Float32Array.from({ length: n }, () => Math.floor(rng() * classes));
      predictions = new Float32Array(n * classes);
      for (let i = 0; i < n; i++) {
        const logits = Array.from({ length: classes }, (_, c) => (c === labels[i] ? 1 : 0) + normal(rng));
        const total = logits.reduce((sum, x) => sum + Math.exp(x), 0);
        logits.forEach((x, c) => (predictions[i * classes + c] = Math.exp(x) / total));
      }
    } else {
      labels = Float32Array.from({ length: n }, () => 100 * normal(rng));
      predictions = labels.map((y) => y + 5 * normal(rng));
    }
    const cut = 387;

    const whole = summarizeEvaluation(buildEvaluationVector({ labelType, labels, predictions, classes }), labelType);
    const first = buildEvaluationVector({
      labelType,
      labels: labels.subarray(0, cut),
      predictions: predictions.subarray(0, cut * width),
      classes,
    });
    const second = buildEvaluationVector({
      labelType,
      labels: labels.subarray(cut),
      predictions: predictions.subarray(cut * width),
      classes,
    });
    const pooled = summarizeEvaluation(add(first, second), labelType);

    expect(pooled.examples).toBe(n);
    expect(pooled.loss).toBeCloseTo(whole.loss, 12);
    expect(pooled.accuracy).toBe(whole.accuracy);
    // Histogram counts are integers, so the summed AUC is identical, not just close.
    expect(pooled.auc).toBe(whole.auc);
    if (labelType === 'binary') expect(pooled.auc).toBeGreaterThan(0.8);
  });
});

describe('AUC', () => {
  it('from histograms is within 0.002 of the exact AUC on 5,000 random scores', () => {
    const { labels, predictions } = binaryData(5000, createRng('auc-5000'));

    const summary = summarizeEvaluation(buildEvaluationVector({ labelType: 'binary', labels, predictions }), 'binary');
    const exact = exactAuc(labels, predictions);

    expect(exact).toBeGreaterThan(0.8);
    expect(Math.abs((summary.auc as number) - exact)).toBeLessThan(0.002);
  });

  it('is 1 for a perfect classifier and 0 for an inverted one', () => {
    const labels = Float32Array.from([0, 0, 1, 1, 0, 1]);
    const perfect = Float32Array.from([0.1, 0.2, 0.8, 0.9, 0.3, 0.7]);
    const inverted = perfect.map((p) => 1 - p);

    const summarise = (predictions: Float32Array) =>
      summarizeEvaluation(buildEvaluationVector({ labelType: 'binary', labels, predictions }), 'binary').auc;

    expect(exactAuc(labels, perfect)).toBe(1);
    expect(exactAuc(labels, inverted)).toBe(0);
    expect(summarise(perfect)).toBe(1);
    expect(summarise(inverted)).toBe(0);
  });

  it('counts ties as one half', () => {
    // Pairs: 0.5 vs 0.5 ties (1/2), every other pair is won: 3.5 of 4.
    expect(exactAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toBe(0.875);
    expect(exactAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    expect(histogramAuc([0, 2, 0], [0, 3, 0])).toBe(0.5);
    expect(histogramAuc([0, 1, 1], [1, 1, 0])).toBe(0.875);
  });

  it('sorts infinite scores', () => {
    expect(exactAuc([0, 1, 0, 1], [-Infinity, Infinity, 0, 1])).toBe(1);
  });

  it('is undefined without both classes: the functions throw and the summary says null', () => {
    const vector = buildEvaluationVector({
      labelType: 'binary',
      labels: Float32Array.from([1, 1]),
      predictions: Float32Array.from([0.25, 0.75]),
    });

    expect(() => histogramAuc([1, 1], [0, 0])).toThrow(/AUC is undefined without both positive and negative examples/);
    expect(() => exactAuc([1, 1], [0.2, 0.3])).toThrow(/AUC is undefined/);
    expect(summarizeEvaluation(vector, 'binary')).toEqual({ examples: 2, loss: expect.any(Number), accuracy: 0.5, auc: null });
  });
});

describe('bad input', () => {
  it('refuses to summarise zero examples', () => {
    expect(() => summarizeEvaluation(new Float64Array(3), 'continuous')).toThrow(
      expect.objectContaining({ code: 'NO_EXAMPLES', message: 'cannot summarise an evaluation over 0 examples' }),
    );
  });

  it('refuses a vector of the wrong length for its label type', () => {
    expect(() => summarizeEvaluation(new Float64Array(3), 'binary')).toThrow('a binary evaluation vector has 2003 values, got 3');
  });

  it('refuses labels and predictions that do not fit the label type', () => {
    const one = Float32Array.from([1]);
    expect(() => buildEvaluationVector({ labelType: 'binary', labels: Float32Array.from([2]), predictions: one })).toThrow(
      'binary label 0 must be 0 or 1, got 2',
    );
    expect(() => buildEvaluationVector({ labelType: 'binary', labels: one, predictions: Float32Array.from([NaN]) })).toThrow(
      'prediction 0 must be a probability in [0, 1], got NaN',
    );
    expect(() => buildEvaluationVector({ labelType: 'binary', labels: one, predictions: new Float32Array(2) })).toThrow(
      'predictions must hold one value per example (1), got 2',
    );
    expect(() => buildEvaluationVector({ labelType: 'categorical', labels: one, predictions: one })).toThrow(
      'classes must be an integer >= 2 for categorical labels, got undefined',
    );
    expect(() =>
      buildEvaluationVector({ labelType: 'categorical', labels: Float32Array.from([3]), predictions: new Float32Array(3), classes: 3 }),
    ).toThrow('categorical label 0 must be a class index in [0, 3), got 3');
    expect(() =>
      buildEvaluationVector({ labelType: 'continuous', labels: one, predictions: Float32Array.from([Infinity]) }),
    ).toThrow('label and prediction 0 must be finite');
  });
});
