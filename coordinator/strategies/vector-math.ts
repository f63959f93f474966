/**
 * Element-wise helpers shared by the server steps. Arithmetic runs in float64
 * and each weight is rounded to float32 once, at the end of the step, so a
 * step adds no more rounding than storing the model does.
 */
import { ShoalError } from '../../common/errors';

/**
 * A vector whose length differs from the model's means the coordinator mixed
 * up models or rounds; that is a bug, so it fails loudly and is not retryable.
 */
export function checkLength(strategy: string, what: string, expected: number, found: number): void {
  if (expected === found) return;
  throw new ShoalError('STRATEGY_SHAPE_MISMATCH', `${strategy}: ${what} holds ${found} values but the global model holds ${expected}`, {
    component: 'coordinator',
    details: { strategy, what, expected, found },
  });
}

/** base + scale·direction as a fresh Float32Array; neither input is touched. */
export function addScaled(strategy: string, base: Float32Array, direction: Float64Array, scale: number): Float32Array {
  checkLength(strategy, 'the mean update', base.length, direction.length);
  const next = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) next[i] = base[i] + scale * direction[i];
  return next;
}
