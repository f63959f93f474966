import { thrownShoalError } from '../testing/thrown-shoal-error';
import { clipL2 } from './clipping';

function norm(vector: Float64Array): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

describe('clipL2', () => {
  it('scales a long vector down to exactly maxNorm', () => {
    const input = Float64Array.from([3, 4]);

    const result = clipL2(input, 1);

    expect(result.norm).toBe(5);
    expect(result.clipped).toBe(true);
    expect(Array.from(result.vector)).toEqual([0.6, 0.8]);
    expect(Array.from(input)).toEqual([3, 4]);
  });

  it('returns an unchanged copy of a vector already within the bound', () => {
    const input = Float64Array.from([1, -2, 2]);

    const result = clipL2(input, 3);

    expect(result).toEqual({ vector: Float64Array.from([1, -2, 2]), norm: 3, clipped: false });
    expect(result.vector).not.toBe(input);
  });

  it('accepts Float32 input and returns Float64', () => {
    const input = Float32Array.from([0.5, -0.5, 0.5, -0.5, 2]);

    const result = clipL2(input, 0.5);

    expect(result.vector).toBeInstanceOf(Float64Array);
    expect(result.norm).toBe(Math.sqrt(5));
    expect(norm(result.vector)).toBeCloseTo(0.5, 15);
    expect(result.vector[4] / result.vector[0]).toBeCloseTo(4, 14);
  });

  it('keeps the norm of a long random update within rounding of maxNorm', () => {
    const input = Float64Array.from({ length: 100000 }, (_, i) => Math.sin(i) * 10);

    const result = clipL2(input, 2.5);

    expect(result.clipped).toBe(true);
    expect(Math.abs(norm(result.vector) - 2.5)).toBeLessThan(1e-12);
  });

  it('handles the zero vector and the empty vector', () => {
    expect(clipL2(new Float64Array(4), 1)).toEqual({ vector: new Float64Array(4), norm: 0, clipped: false });
    expect(clipL2(new Float64Array(0), 1)).toEqual({ vector: new Float64Array(0), norm: 0, clipped: false });
  });

  it('measures norms whose squares would overflow or underflow', () => {
    expect(clipL2(Float64Array.from([3e200, 4e200]), 1).norm).toBeCloseTo(5e200, -186);
    expect(clipL2(Float64Array.from([3e-200, 4e-200]), 1).norm / 5e-200).toBeCloseTo(1, 14);
    expect(Array.from(clipL2(Float64Array.from([3e200, 4e200]), 1).vector).map((v) => Number(v.toFixed(12)))).toEqual([0.6, 0.8]);
  });

  it('refuses non-finite entries, which no clipping can bound', () => {
    const err = thrownShoalError(() => clipL2(Float64Array.from([1, NaN, 2]), 1), 'PRIVACY_INVALID_VECTOR');
    expect(err.details).toEqual({ index: 1 });
    thrownShoalError(() => clipL2(Float32Array.from([Infinity]), 1), 'PRIVACY_INVALID_VECTOR');
  });

  it('refuses a bound that is not a positive finite number', () => {
    for (const maxNorm of [0, -1, NaN, Infinity]) thrownShoalError(() => clipL2(Float64Array.from([1]), maxNorm), 'PRIVACY_INVALID_SETTING');
  });
});
