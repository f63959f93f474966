/**
 * L2 clipping: bounds each participant's contribution, which is what makes
 * the sensitivity of the sum — and so the noise the accountant assumes — C.
 */
import { PrivacyError, invalidSetting } from './errors';

export interface ClipResult {
  /** A new vector with L2 norm min(norm, maxNorm); the input is never changed. */
  vector: Float64Array;
  /** L2 norm of the input, before clipping. */
  norm: number;
  /** True when the input was scaled down. */
  clipped: boolean;
}

/** Squares of entries inside this range can neither overflow nor underflow when summed. */
const SAFE_LOW = 1e-150;
const SAFE_HIGH = 1e150;

function l2Norm(vector: Float32Array | Float64Array): number {
  let largest = 0;
  for (let i = 0; i < vector.length; i++) {
    const magnitude = Math.abs(vector[i]);
    if (!(magnitude <= Number.MAX_VALUE)) {
      throw new PrivacyError('PRIVACY_INVALID_VECTOR', `vector[${i}] is ${vector[i]}; only finite values have a norm`, { index: i });
    }
    if (magnitude > largest) largest = magnitude;
  }
  if (largest === 0) return 0;
  // Float32 input always lands in the safe range; only extreme Float64 input needs scaling.
  const scale = largest > SAFE_HIGH || largest < SAFE_LOW ? largest : 1;
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i] / scale;
    sumOfSquares += value * value;
  }
  return Math.sqrt(sumOfSquares) * scale;
}

/**
 * Scales `vector` down to L2 norm `maxNorm` if it is longer; returns a new
 * Float64Array either way. Throws PRIVACY_INVALID_VECTOR on NaN or ±Infinity,
 * which no clipping can bound.
 */
export function clipL2(vector: Float32Array | Float64Array, maxNorm: number): ClipResult {
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw invalidSetting(`maxNorm must be a finite number > 0, got ${maxNorm}`, { maxNorm });
  }
  const norm = l2Norm(vector);
  const out = Float64Array.from(vector);
  if (norm <= maxNorm) return { vector: out, norm, clipped: false };
  // Dividing (rather than multiplying by maxNorm/norm) rounds each entry once when maxNorm is 1.
  const divisor = norm / maxNorm;
  for (let i = 0; i < out.length; i++) out[i] /= divisor;
  return { vector: out, norm, clipped: true };
}
