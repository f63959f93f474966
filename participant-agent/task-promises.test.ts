import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import type { SecureAggregationSettings__Output } from '../proto/generated/shoal/v1/SecureAggregationSettings';
import type { FitInstructions__Output } from '../proto/generated/shoal/v1/FitInstructions';
import { brokenPromise } from './task-promises';

const example = parse(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
const spec = (overrides: Record<string, unknown> = {}): JobSpec => compileJobSpec({ ...example, ...overrides });
const secure = {} as SecureAggregationSettings__Output;
const fit = (clipNorm: number): FitInstructions__Output => ({ mode: 'train', localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam', proximalMu: 0, clipNorm, noiseStd: 0, weighting: 'uniform' });

describe('brokenPromise: a task may not drop the protections the organisation accepted', () => {
  test('a plain task for a job accepted with secure aggregation is refused', () => {
    expect(brokenPromise(spec(), 'statistics', { secure: null, fit: null })?.code).toBe('SECURE_AGGREGATION_REQUIRED');
    expect(brokenPromise(spec(), 'fit', { secure: null, fit: fit(0) })?.code).toBe('SECURE_AGGREGATION_REQUIRED');
  });

  test('a plain task is fine when the job was accepted without secure aggregation', () => {
    expect(brokenPromise(spec({ secureAggregation: { enabled: false } }), 'fit', { secure: null, fit: fit(0) })).toBeNull();
  });

  test('a fit task without clipping, or with a looser clip norm than accepted, is refused under differential privacy', () => {
    const accepted = spec({ differentialPrivacy: { epsilon: 8, clipNorm: 0.5 } });

    expect(brokenPromise(accepted, 'fit', { secure, fit: fit(0) })).toEqual({ code: 'DIFFERENTIAL_PRIVACY_REQUIRED', message: 'the job was accepted with differential privacy (clip norm 0.5), but this task asks for clip norm 0' });
    expect(brokenPromise(accepted, 'fit', { secure, fit: fit(1) })?.code).toBe('DIFFERENTIAL_PRIVACY_REQUIRED');
    expect(brokenPromise(accepted, 'fit', { secure, fit: fit(0.5) })).toBeNull();
    expect(brokenPromise(accepted, 'evaluate', { secure, fit: null })).toBeNull();
  });
});
