/**
 * Splits one dataset across simulated organisations. Real federations are
 * rarely IID: one bank sees more defaults than another. The Dirichlet label
 * split (Hsu, Qi & Brown 2019) reproduces that label-distribution skew with
 * one knob, alpha: small alpha gives each organisation a lopsided share of
 * each class, large alpha approaches an even split.
 */
import { ShoalError } from '../../common/errors';
import { Rng, sampleDirichlet, shuffleInPlace } from '../../common/random';

// Each attempt only draws proportions and counts (no row is touched until one
// is accepted), so many attempts are cheap; past this the request is
// practically unsatisfiable for the given alpha.
const MAX_ATTEMPTS = 10_000;

function invalidArgument(message: string, details: Record<string, unknown>): ShoalError {
  return new ShoalError('INVALID_ARGUMENT', message, { component: 'cli', details });
}

function checkParts(parts: number): void {
  if (!Number.isInteger(parts) || parts < 1) throw invalidArgument(`parts must be an integer >= 1, got ${parts}`, { parts });
}

/** Row indices grouped by label value, classes in ascending label order so the result does not depend on row order. */
function rowsByClass(labels: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isFinite(label)) throw invalidArgument(`label ${i} must be a finite number, got ${label}`, { index: i });
    const group = groups.get(label);
    if (group) group.push(i);
    else groups.set(label, [i]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((label) => groups.get(label) as number[]);
}

/** How many of `total` rows each part gets, rounding cumulative shares so the counts add up to `total` exactly. */
function countsFromProportions(proportions: number[], total: number): number[] {
  const counts: number[] = [];
  let share = 0;
  let previousCut = 0;
  proportions.forEach((p, j) => {
    share += p;
    const cut = j === proportions.length - 1 ? total : Math.min(total, Math.round(share * total));
    counts.push(cut - previousCut);
    previousCut = cut;
  });
  return counts;
}

/**
 * Label-skewed split: for each class, proportions ~ Dirichlet(alpha) over the
 * parts decide how that class's shuffled rows are dealt out. Draws again
 * until every part holds at least minRowsPerPart rows, so no simulated
 * organisation is left too small to train. Each part's indices are ascending.
 */
export function dirichletLabelPartition(
  labels: ArrayLike<number>,
  parts: number,
  alpha: number,
  rng: Rng,
  minRowsPerPart = 50,
): number[][] {
  checkParts(parts);
  if (!Number.isFinite(alpha) || alpha <= 0) throw invalidArgument(`alpha must be a finite number > 0, got ${alpha}`, { alpha });
  if (!Number.isInteger(minRowsPerPart) || minRowsPerPart < 0) {
    throw invalidArgument(`minRowsPerPart must be an integer >= 0, got ${minRowsPerPart}`, { minRowsPerPart });
  }
  const rows = labels.length;
  if (parts * minRowsPerPart > rows) {
    throw invalidArgument(`cannot give each of ${parts} parts ${minRowsPerPart} rows from ${rows} rows`, { parts, minRowsPerPart, rows });
  }
  const classes = rowsByClass(labels);
  for (const group of classes) shuffleInPlace(group, rng);

  let bestSmallest = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const counts = classes.map((group) => countsFromProportions(sampleDirichlet(alpha, parts, rng), group.length));
    const sizes = Array.from({ length: parts }, (_, j) => counts.reduce((sum, perClass) => sum + perClass[j], 0));
    const smallest = Math.min(...sizes);
    bestSmallest = Math.max(bestSmallest, smallest);
    if (smallest < minRowsPerPart) continue;

    const result: number[][] = Array.from({ length: parts }, () => []);
    classes.forEach((group, c) => {
      let next = 0;
      counts[c].forEach((count, j) => {
        for (let k = 0; k < count; k++) result[j].push(group[next++]);
      });
    });
    for (const part of result) part.sort((a, b) => a - b);
    return result;
  }
  throw new ShoalError(
    'PARTITION_UNSATISFIABLE',
    `no Dirichlet(alpha=${alpha}) split in ${MAX_ATTEMPTS} draws gave each of ${parts} parts at least ${minRowsPerPart} rows ` +
      `(the best gave ${bestSmallest}); raise alpha, lower minRowsPerPart or use fewer parts`,
    { component: 'cli', details: { parts, alpha, minRowsPerPart, rows, bestSmallest } },
  );
}

/** Uniformly random split into parts whose sizes differ by at most one; each part's indices ascending. */
export function iidPartition(rows: number, parts: number, rng: Rng): number[][] {
  checkParts(parts);
  if (!Number.isInteger(rows) || rows < 0) throw invalidArgument(`rows must be an integer >= 0, got ${rows}`, { rows });
  if (parts > rows) throw invalidArgument(`parts (${parts}) must not exceed rows (${rows}): some parts would be empty`, { parts, rows });
  const order = Array.from({ length: rows }, (_, i) => i);
  shuffleInPlace(order, rng);
  const base = Math.floor(rows / parts);
  const larger = rows % parts;
  const result: number[][] = [];
  let start = 0;
  for (let j = 0; j < parts; j++) {
    const size = base + (j < larger ? 1 : 0);
    result.push(order.slice(start, start + size).sort((a, b) => a - b));
    start += size;
  }
  return result;
}
