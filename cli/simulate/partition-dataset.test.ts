import { createRng } from '../../common/random';
import { dirichletLabelPartition, iidPartition } from './partition-dataset';

/** 10,000 rows with a 30% positive rate, like a default-prediction table. */
function binaryLabels(): Float32Array {
  const rng = createRng('labels');
  return Float32Array.from({ length: 10_000 }, () => (rng() < 0.3 ? 1 : 0));
}

function expectExactCover(parts: number[][], rows: number): void {
  const all = parts.flat();
  expect(all).toHaveLength(rows);
  expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i));
  for (const part of parts) expect(part).toEqual([...part].sort((a, b) => a - b));
}

function positiveRateSpread(labels: Float32Array, parts: number[][]): number {
  const rates = parts.map((part) => part.reduce((sum, i) => sum + labels[i], 0) / part.length);
  return Math.max(...rates) - Math.min(...rates);
}

describe('dirichletLabelPartition', () => {
  const labels = binaryLabels();

  it('puts every row in exactly one part, each part ascending', () => {
    const parts = dirichletLabelPartition(labels, 5, 0.3, createRng(1));

    expect(parts).toHaveLength(5);
    expectExactCover(parts, labels.length);
  });

  it('covers every row with several classes too', () => {
    const rng = createRng('three-classes');
    const threeClasses = Float32Array.from({ length: 3000 }, () => Math.floor(rng() * 3));

    expectExactCover(dirichletLabelPartition(threeClasses, 4, 1, createRng(2), 100), 3000);
  });

  it('is deterministic for a seed', () => {
    const first = dirichletLabelPartition(labels, 5, 0.3, createRng(7));
    const again = dirichletLabelPartition(labels, 5, 0.3, createRng(7));
    const other = dirichletLabelPartition(labels, 5, 0.3, createRng(8));

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('skews positive rates across parts with alpha 0.3, unlike an IID split', () => {
    const skewed = dirichletLabelPartition(labels, 5, 0.3, createRng(3));
    const iid = iidPartition(labels.length, 5, createRng(3));

    // Measured over seeds 0–499 on this table: the alpha 0.3 spread
    // (largest minus smallest positive rate) never fell below 0.33 (median
    // 0.95), while the IID spread never exceeded 0.052 (median 0.024).
    expect(positiveRateSpread(labels, skewed)).toBeGreaterThan(0.3);
    expect(positiveRateSpread(labels, iid)).toBeLessThan(0.1);
  });

  it('gives every part at least minRowsPerPart rows', () => {
    // The minimum binds here: with minRowsPerPart 0, all 20 of these seeds
    // gave some part fewer than 400 rows (measured).
    for (let seed = 0; seed < 20; seed++) {
      const parts = dirichletLabelPartition(labels, 8, 0.3, createRng(seed), 400);

      expect(Math.min(...parts.map((part) => part.length))).toBeGreaterThanOrEqual(400);
    }
  });

  it('gives up with a clear error when the minimum is practically unreachable', () => {
    // With alpha 0.01 each class lands almost wholly in one part, so ten parts
    // of 500 rows each from two classes essentially never happens.
    expect(() => dirichletLabelPartition(labels, 10, 0.01, createRng(4), 500)).toThrow(
      expect.objectContaining({
        code: 'PARTITION_UNSATISFIABLE',
        message: expect.stringMatching(/no Dirichlet\(alpha=0\.01\) split in 10000 draws gave each of 10 parts at least 500 rows/),
      }),
    );
  });

  it('refuses a minimum that the rows cannot cover at all', () => {
    expect(() => dirichletLabelPartition(labels, 3, 1, createRng(5), 4000)).toThrow(
      'cannot give each of 3 parts 4000 rows from 10000 rows',
    );
  });

  it.each([
    [0, 1, 50, 'parts must be an integer >= 1, got 0'],
    [2.5, 1, 50, 'parts must be an integer >= 1, got 2.5'],
    [3, 0, 50, 'alpha must be a finite number > 0, got 0'],
    [3, -0.5, 50, 'alpha must be a finite number > 0, got -0.5'],
    [3, Number.NaN, 50, 'alpha must be a finite number > 0, got NaN'],
    [3, 1, -1, 'minRowsPerPart must be an integer >= 0, got -1'],
  ])('rejects parts=%p alpha=%p minRowsPerPart=%p', (parts, alpha, minRows, message) => {
    expect(() => dirichletLabelPartition(labels, parts, alpha, createRng(6), minRows)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message }),
    );
  });

  it('rejects a non-finite label', () => {
    expect(() => dirichletLabelPartition([0, 1, Number.NaN], 1, 1, createRng(6), 0)).toThrow('label 2 must be a finite number, got NaN');
  });
});

describe('iidPartition', () => {
  it('covers every row with sizes that differ by at most one', () => {
    const parts = iidPartition(1003, 4, createRng(1));

    expect(parts.map((part) => part.length)).toEqual([251, 251, 251, 250]);
    expectExactCover(parts, 1003);
  });

  it('is deterministic for a seed', () => {
    expect(iidPartition(500, 3, createRng(2))).toEqual(iidPartition(500, 3, createRng(2)));
    expect(iidPartition(500, 3, createRng(3))).not.toEqual(iidPartition(500, 3, createRng(2)));
  });

  it('rejects bad parts and more parts than rows', () => {
    expect(() => iidPartition(10, 0, createRng(1))).toThrow('parts must be an integer >= 1, got 0');
    expect(() => iidPartition(3, 4, createRng(1))).toThrow('parts (4) must not exceed rows (3): some parts would be empty');
    expect(() => iidPartition(-1, 1, createRng(1))).toThrow('rows must be an integer >= 0, got -1');
  });
});
