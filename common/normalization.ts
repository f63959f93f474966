/**
 * Federated feature standardisation. Each organisation sends counts and
 * per-column sums of x and x²; the summed vector gives the pooled mean and
 * population standard deviation without any row leaving its owner, and
 * every organisation then standardises with the same statistics.
 */
import { ShoalError } from './errors';

export interface NormalizationStats {
  mean: number[];
  std: number[];
}

// Below this a column is treated as constant: dividing by its (round-off)
// spread would turn float noise into features.
const MIN_VARIANCE = 1e-12;
// Round-off in E[x²] − E[x]² scales with E[x²], so a constant column of
// large values (amounts near 1e6) leaves a residue far above MIN_VARIANCE;
// anything within this fraction of E[x²] is indistinguishable from zero.
const RELATIVE_MIN_VARIANCE = 1e-12;

function invalidArgument(message: string, details: Record<string, unknown> = {}): ShoalError {
  return new ShoalError('INVALID_ARGUMENT', message, { component: 'common', details });
}

function checkColumns(columns: number): void {
  if (!Number.isInteger(columns) || columns < 1) throw invalidArgument(`columns must be an integer >= 1, got ${columns}`, { columns });
}

/** [rows, Σx per column…, Σx² per column…] of a row-major rows × columns table. */
export function statisticsVector(features: Float32Array, rows: number, columns: number): Float64Array {
  checkColumns(columns);
  if (!Number.isInteger(rows) || rows < 0) throw invalidArgument(`rows must be an integer >= 0, got ${rows}`, { rows });
  if (features.length !== rows * columns) {
    throw invalidArgument(`features must hold rows × columns = ${rows * columns} values, got ${features.length}`);
  }
  // Float64 accumulators: float32 sums of squares of amounts near 1e6 would
  // lose every digit that the variance depends on.
  const vector = new Float64Array(1 + 2 * columns);
  vector[0] = rows;
  for (let r = 0; r < rows; r++) {
    const offset = r * columns;
    for (let c = 0; c < columns; c++) {
      const x = features[offset + c];
      vector[1 + c] += x;
      vector[1 + columns + c] += x * x;
    }
  }
  return vector;
}

/** Pooled mean and population standard deviation from a (summed) statistics vector. */
export function normalizationFromSums(vector: Float64Array, columns: number): NormalizationStats {
  checkColumns(columns);
  if (vector.length !== 1 + 2 * columns) {
    throw invalidArgument(`a statistics vector for ${columns} columns has ${1 + 2 * columns} values, got ${vector.length}`);
  }
  const count = vector[0];
  if (!(count > 0)) throw invalidArgument(`cannot normalise from ${count} rows`, { count });
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < columns; c++) {
    const m = vector[1 + c] / count;
    const meanSquare = vector[1 + columns + c] / count;
    const variance = Math.max(0, meanSquare - m * m);
    const constant = variance < MIN_VARIANCE || variance < RELATIVE_MIN_VARIANCE * meanSquare;
    mean.push(m);
    std.push(constant ? 1 : Math.sqrt(variance));
  }
  return { mean, std };
}

/** (x − mean) / std per column, into a new array. */
export function applyNormalization(features: Float32Array, columns: number, stats: NormalizationStats): Float32Array {
  checkColumns(columns);
  if (stats.mean.length !== columns || stats.std.length !== columns) {
    throw invalidArgument(`stats must have ${columns} means and stds, got ${stats.mean.length} and ${stats.std.length}`);
  }
  if (features.length % columns !== 0) {
    throw invalidArgument(`features length ${features.length} is not a multiple of ${columns} columns`);
  }
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const c = i % columns;
    out[i] = (features[i] - stats.mean[c]) / stats.std[c];
  }
  return out;
}
