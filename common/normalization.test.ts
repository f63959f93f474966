import { applyNormalization, normalizationFromSums, statisticsVector } from './normalization';
import { Rng, createRng } from './random';

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

const COLUMNS = 5;

/** A credit-style table: amount (100…1e6), age, dependents, a 0/1 flag, duration in months. */
function creditTable(rows: number, rng: Rng): Float32Array {
  const table = new Float32Array(rows * COLUMNS);
  for (let r = 0; r < rows; r++) {
    const amount = Math.min(1e6, Math.max(100, Math.exp(10 + 1.2 * normal(rng))));
    table.set([amount, 18 + Math.floor(rng() * 62), Math.floor(rng() * 6), rng() < 0.3 ? 1 : 0, 6 + Math.floor(rng() * 67)], r * COLUMNS);
  }
  return table;
}

/** Two-pass population mean and std of the float32 values, in float64: the pooled truth. */
function twoPass(table: Float32Array, columns: number): { mean: number[]; std: number[] } {
  const rows = table.length / columns;
  const mean = new Array<number>(columns).fill(0);
  const squares = new Array<number>(columns).fill(0);
  for (let i = 0; i < table.length; i++) mean[i % columns] += table[i] / rows;
  for (let i = 0; i < table.length; i++) squares[i % columns] += (table[i] - mean[i % columns]) ** 2;
  return { mean, std: squares.map((s) => Math.sqrt(s / rows)) };
}

function expectRelativelyClose(actual: number, expected: number, significantDigits: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(10 ** -significantDigits * Math.abs(expected));
}

function addAll(vectors: Float64Array[]): Float64Array {
  const total = new Float64Array(vectors[0].length);
  for (const vector of vectors) vector.forEach((value, i) => (total[i] += value));
  return total;
}

describe('statisticsVector', () => {
  it('is [rows, Σx per column, Σx² per column]', () => {
    const features = Float32Array.from([1, 10, 3, 10, 5, -2]);

    expect(Array.from(statisticsVector(features, 3, 2))).toEqual([3, 9, 18, 35, 204]);
  });

  it('accepts an empty slice', () => {
    expect(Array.from(statisticsVector(new Float32Array(0), 0, 2))).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses a table whose size does not match rows × columns', () => {
    expect(() => statisticsVector(new Float32Array(5), 3, 2)).toThrow('features must hold rows × columns = 6 values, got 5');
    expect(() => statisticsVector(new Float32Array(0), 0, 0)).toThrow('columns must be an integer >= 1, got 0');
  });
});

describe('normalizationFromSums', () => {
  it('gives the population mean and std, and std 1 for a constant column', () => {
    const vector = statisticsVector(Float32Array.from([1, 10, 3, 10]), 2, 2);

    expect(normalizationFromSums(vector, 2)).toEqual({ mean: [2, 10], std: [1, 1] });
  });

  it('treats a constant column of large amounts as constant despite round-off', () => {
    // Summing squares of 987654.3 rounds, so E[x²] − E[x]² comes out near
    // +0.0095 here (measured), not 0; std must still be 1, not ~0.1.
    const amount = Math.fround(987654.3);
    const slices = [700, 300, 11].map((rows) => statisticsVector(new Float32Array(rows).fill(amount), rows, 1));

    const stats = normalizationFromSums(addAll(slices), 1);

    expect(stats.std).toEqual([1]);
    expectRelativelyClose(stats.mean[0], amount, 12);
  });

  it('refuses a vector of the wrong length and a zero count', () => {
    expect(() => normalizationFromSums(new Float64Array(4), 2)).toThrow('a statistics vector for 2 columns has 5 values, got 4');
    expect(() => normalizationFromSums(new Float64Array(5), 2)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'cannot normalise from 0 rows' }),
    );
  });
});

describe('federated statistics equal pooled statistics', () => {
  it('summing the vectors of 3 unequal slices gives the mean and std of the whole table', () => {
    const sliceRows = [2900, 1600, 517];
    const rows = sliceRows.reduce((sum, n) => sum + n, 0);
    const table = creditTable(rows, createRng('credit-table'));
    const vectors: Float64Array[] = [];
    let start = 0;
    for (const n of sliceRows) {
      vectors.push(statisticsVector(table.subarray(start * COLUMNS, (start + n) * COLUMNS), n, COLUMNS));
      start += n;
    }

    const federated = normalizationFromSums(addAll(vectors), COLUMNS);
    const pooled = twoPass(table, COLUMNS);

    // Amounts really do span the range that makes x² sums large.
    expect(Math.max(...table.filter((_, i) => i % COLUMNS === 0))).toBeGreaterThan(3e5);
    for (let c = 0; c < COLUMNS; c++) {
      // Measured agreement is ~1e-14; 9 digits leaves room while being far
      // stricter than the 6 digits a float32 model can use.
      expectRelativelyClose(federated.mean[c], pooled.mean[c], 9);
      expectRelativelyClose(federated.std[c], pooled.std[c], 9);
    }
  });

  it('standardised with those statistics, every column has mean 0 and std 1', () => {
    const table = creditTable(3000, createRng('standardise'));
    const stats = normalizationFromSums(statisticsVector(table, 3000, COLUMNS), COLUMNS);

    const standardised = twoPass(applyNormalization(table, COLUMNS, stats), COLUMNS);

    for (let c = 0; c < COLUMNS; c++) {
      expect(standardised.mean[c]).toBeCloseTo(0, 5);
      expect(standardised.std[c]).toBeCloseTo(1, 5);
    }
  });
});

describe('applyNormalization', () => {
  it('returns (x − mean) / std in a new array', () => {
    const features = Float32Array.from([1, 10, 3, 10]);

    const out = applyNormalization(features, 2, { mean: [2, 10], std: [1, 1] });

    expect(Array.from(out)).toEqual([-1, 0, 1, 0]);
    expect(Array.from(features)).toEqual([1, 10, 3, 10]);
  });

  it('refuses statistics for another number of columns', () => {
    expect(() => applyNormalization(new Float32Array(4), 2, { mean: [0], std: [1] })).toThrow(
      'stats must have 2 means and stds, got 1 and 1',
    );
    expect(() => applyNormalization(new Float32Array(3), 2, { mean: [0, 0], std: [1, 1] })).toThrow(
      'features length 3 is not a multiple of 2 columns',
    );
  });
});
