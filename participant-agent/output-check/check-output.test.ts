import { AUC_BINS } from '../../common/evaluation-metrics';
import { compileJobSpec, type JobSpec } from '../../common/job-spec';
import { checkOutput, type DeclaredOutput, type OutputCandidate, type OutputCheck, type OutputPolicy } from './check-output';
import { declaredMetrics, declaredTensors } from './declared-output';

/** Dense 4→3 relu, Dense 3→1 sigmoid: 12 + 3 + 3 + 1 = 19 parameters. */
function smallSpec(): JobSpec {
  return compileJobSpec({
    apiVersion: 'shoal/v1',
    jobId: 'output-check',
    requester: 'regulator',
    invitedOrgs: ['bank-1'],
    minParticipants: 1,
    dataset: { name: 'loans', features: ['a', 'b', 'c', 'd'], label: 'y', labelType: 'binary' },
    model: {
      layers: [
        { className: 'Dense', config: { units: 3, activation: 'relu', inputShape: [4] } },
        { className: 'Dense', config: { units: 1, activation: 'sigmoid' } },
      ],
      loss: 'binaryCrossentropy',
    },
    training: { rounds: 1 },
    seed: 7,
  });
}

const spec = smallSpec();
const fitDeclared: DeclaredOutput = { tensors: declaredTensors(spec, 'fit'), metrics: declaredMetrics(spec, 'fit') };
const policy: OutputPolicy = { maxL2Norm: 1, onNormExceeded: 'reject', exampleCountGranularity: 100, maxViolations: 3, requireRelease: false };
const FILES = ['result.json', 'contribution.bin'];

/** 19 small values: norm ≈ 0.107, well inside the bound. */
function fitVector(): Float32Array {
  return Float32Array.from({ length: 19 }, (_, i) => 0.001 * (i + 1) * (i % 2 === 0 ? 1 : -1));
}

function fitResult(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'fit',
    weight: 1234,
    elementCount: 19,
    dtype: 'float32',
    backend: 'wasm',
    epochLosses: [0.7, 0.6],
    seconds: 0.25,
    tensors: fitDeclared.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
    metrics: { loss: 0.6 },
    ...changes,
  };
}

function fitCandidate(changes: Partial<OutputCandidate> = {}): OutputCandidate {
  return { kind: 'fit', result: fitResult(), vector: fitVector(), files: [...FILES], ...changes };
}

function norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  return Math.sqrt(sum);
}

function violation(check: OutputCheck): { violation: string; reason: string } {
  if (check.ok) throw new Error('expected a violation, the output passed');
  return { violation: check.violation, reason: check.reason };
}

describe('checkOutput: a fit contribution', () => {
  test('the declared tensors, finite, within the bound, pass unchanged with a coarsened weight', () => {
    const candidate = fitCandidate();

    const check = checkOutput(candidate, fitDeclared, policy);

    expect(check).toMatchObject({ ok: true, weight: 1200, clipped: false });
    if (!check.ok) return;
    expect(check.vector).toBe(candidate.vector);
    expect(check.l2Norm).toBeCloseTo(norm(fitVector()), 6);
    expect(check.checks).toHaveLength(8);
  });

  test.each([
    [1234, 100, 1200],
    [1200, 100, 1200],
    [37, 100, 100],
    [1, 100, 100],
    [1234, 1, 1234],
    [99.5, 10, 90],
  ])('weight %d with granularity %d leaves as %d', (weight, granularity, expected) => {
    const check = checkOutput(fitCandidate({ result: fitResult({ weight }) }), fitDeclared, { ...policy, exampleCountGranularity: granularity });

    expect(check).toMatchObject({ ok: true, weight: expected });
  });

  test('a gradient step without a loss passes: reported metrics need only be a subset', () => {
    expect(checkOutput(fitCandidate({ result: fitResult({ metrics: {}, epochLosses: [] }) }), fitDeclared, policy).ok).toBe(true);
  });

  test('a tensor with the wrong shape', () => {
    const tensors = fitDeclared.tensors.map((t) => ({ ...t }));
    tensors[2] = { ...tensors[2], shape: [3, 2] };

    expect(violation(checkOutput(fitCandidate({ result: fitResult({ tensors }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'tensor 2 (1/kernel) has shape [3,2]; the declared model has [3,1]',
    });
  });

  test('an extra tensor', () => {
    const tensors = [...fitDeclared.tensors, { name: 'x', shape: [1], dtype: 'float32' }];

    expect(violation(checkOutput(fitCandidate({ result: fitResult({ tensors }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: "an extra tensor 'x' the declared model does not have",
    });
  });

  test('a missing tensor', () => {
    const tensors = fitDeclared.tensors.slice(0, 3);

    expect(violation(checkOutput(fitCandidate({ result: fitResult({ tensors }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'tensor 3 (1/bias) of the declared model is missing',
    });
  });

  test('tensors in another order', () => {
    const tensors = [fitDeclared.tensors[1], fitDeclared.tensors[0], ...fitDeclared.tensors.slice(2)];

    expect(violation(checkOutput(fitCandidate({ result: fitResult({ tensors }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: "tensor 0 is '0/bias'; the declared model has 0/kernel there",
    });
  });

  test('a tensor with the wrong dtype', () => {
    const tensors = fitDeclared.tensors.map((t, i) => (i === 0 ? { ...t, dtype: 'float64' } : t));

    expect(violation(checkOutput(fitCandidate({ result: fitResult({ tensors }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'tensor 0 (0/kernel) is float64; the declared model has float32',
    });
  });

  test('a float64 contribution where the model is float32', () => {
    const candidate = fitCandidate({ result: fitResult({ dtype: 'float64' }), vector: Float64Array.from(fitVector()) });

    expect(violation(checkOutput(candidate, fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'the contribution is float64; the declared model has 0/kernel as float32',
    });
  });

  test('a vector read as another dtype than result.json claims', () => {
    const candidate = fitCandidate({ vector: Float64Array.from(fitVector()) });

    expect(violation(checkOutput(candidate, fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'contribution.bin was read as float64; result.json says float32',
    });
  });

  test('a wrong elementCount', () => {
    expect(violation(checkOutput(fitCandidate({ result: fitResult({ elementCount: 20 }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'result.json says elementCount 20; contribution.bin holds 19 values',
    });
  });

  test('fewer values than the declared tensors hold', () => {
    const candidate = fitCandidate({ result: fitResult({ elementCount: 18 }), vector: fitVector().slice(0, 18) });

    expect(violation(checkOutput(candidate, fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_TENSOR_MISMATCH',
      reason: 'contribution.bin holds 18 values; the declared model has 19',
    });
  });

  test('NaN, named by position and tensor', () => {
    const vector = fitVector();
    vector[5] = Number.NaN;

    expect(violation(checkOutput(fitCandidate({ vector }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_NOT_FINITE',
      reason: 'the contribution holds NaN at position 5 (tensor 0/kernel, element 5)',
    });
  });

  test('Infinity, named by position and tensor', () => {
    const vector = fitVector();
    vector[16] = Number.NEGATIVE_INFINITY;

    expect(violation(checkOutput(fitCandidate({ vector }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_NOT_FINITE',
      reason: 'the contribution holds -Infinity at position 16 (tensor 1/kernel, element 1)',
    });
  });

  test('an undeclared metric', () => {
    const check = checkOutput(fitCandidate({ result: fitResult({ metrics: { loss: 0.6, accuracy: 0.9 } }) }), fitDeclared, policy);

    expect(violation(check)).toEqual({
      violation: 'OUTPUT_UNDECLARED_METRIC',
      reason: "the trainer reports a metric 'accuracy' the job does not declare (declared: loss)",
    });
  });

  test.each([['a string', '0.6'], ['null (NaN after JSON)', null], ['a list', [0.6]]])('a metric that is %s', (_what, loss) => {
    expect(violation(checkOutput(fitCandidate({ result: fitResult({ metrics: { loss } }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_UNDECLARED_METRIC',
      reason: 'the metric loss is not a finite number',
    });
  });

  test('a norm over the bound is rejected when the policy says reject', () => {
    const vector = new Float32Array(19).fill(1);

    const { violation: code, reason } = violation(checkOutput(fitCandidate({ vector }), fitDeclared, policy));

    expect(code).toBe('OUTPUT_NORM_EXCEEDED');
    expect(reason).toBe(`the update's L2 norm is ${Math.sqrt(19)}; the bound is 1`);
  });

  test('a norm over the bound is clipped to the bound when the policy says clip, into a copy', () => {
    const vector = Float32Array.from({ length: 19 }, (_, i) => (i - 9) * 0.37);
    const before = Float32Array.from(vector);

    const check = checkOutput(fitCandidate({ vector }), fitDeclared, { ...policy, onNormExceeded: 'clip' });

    expect(check).toMatchObject({ ok: true, clipped: true, weight: 1200 });
    if (!check.ok) return;
    expect(check.vector).toBeInstanceOf(Float32Array);
    expect(check.vector).not.toBe(vector);
    expect(Math.abs(norm(check.vector) - 1)).toBeLessThan(1e-6);
    expect(norm(check.vector)).toBeLessThanOrEqual(1);
    expect(check.l2Norm).toBeCloseTo(norm(before), 5);
    expect(vector).toEqual(before);
  });

  test('an extra file in the output folder', () => {
    expect(violation(checkOutput(fitCandidate({ files: [...FILES, 'notes.txt'] }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_EXTRA_FILE',
      reason: "the trainer left 'notes.txt' in its output folder; only result.json and contribution.bin may be there",
    });
  });

  test('an extra file is found before anything else is looked at', () => {
    const vector = fitVector();
    vector[0] = Number.NaN;

    expect(violation(checkOutput(fitCandidate({ vector, files: ['error.json', ...FILES, '.hidden'] }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_EXTRA_FILE',
      reason: "the trainer left '.hidden' in its output folder (and 1 more); only result.json and contribution.bin may be there",
    });
  });

  test('no contribution.bin', () => {
    expect(violation(checkOutput(fitCandidate({ files: ['result.json'] }), fitDeclared, policy))).toEqual({ violation: 'OUTPUT_MALFORMED', reason: 'the trainer wrote no contribution.bin' });
  });

  test('an unknown key in result.json', () => {
    expect(violation(checkOutput(fitCandidate({ result: fitResult({ notes: 'hello' }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_MALFORMED',
      reason: "result.json has an unknown field 'notes'",
    });
  });

  test.each([
    ['a missing field', () => Object.fromEntries(Object.entries(fitResult()).filter(([key]) => key !== 'metrics')), "result.json lacks the field 'metrics'"],
    ['another kind', () => fitResult({ kind: 'evaluate' }), "result.json is for a 'evaluate' task; the task was fit"],
    ['not an object', () => [1, 2, 3], 'result.json is not a JSON object'],
    ['a long backend string', () => fitResult({ backend: 'x'.repeat(33) }), 'result.json has a backend that is not a short identifier'],
    ['a tensor with more fields', () => fitResult({ tensors: [{ ...fitDeclared.tensors[0], values: [1] }] }), 'result.json has tensor 0 that is not {name, shape, dtype}'],
    ['a negative elementCount', () => fitResult({ elementCount: -1 }), 'result.json has an elementCount that is not a count'],
  ])('a malformed result.json: %s', (_what, result, reason) => {
    expect(violation(checkOutput(fitCandidate({ result: result() }), fitDeclared, policy))).toEqual({ violation: 'OUTPUT_MALFORMED', reason });
  });

  test.each([[0], [-5], [Number.NaN], [Number.POSITIVE_INFINITY]])('weight %d is refused', (weight) => {
    expect(violation(checkOutput(fitCandidate({ result: fitResult({ weight }) }), fitDeclared, policy))).toEqual({
      violation: 'OUTPUT_MALFORMED',
      reason: 'the trainer reported a weight that is not a positive finite number',
    });
  });

  test('a name the trainer chose is cut short and stripped before it enters a reason', () => {
    const name = `${'a'.repeat(30)} secret row: 1,2,3 ${'b'.repeat(50)}`;
    const tensors = [...fitDeclared.tensors, { name, shape: [1], dtype: 'float32' }];

    const { reason } = violation(checkOutput(fitCandidate({ result: fitResult({ tensors }) }), fitDeclared, policy));

    expect(reason).toBe(`an extra tensor '${'a'.repeat(30)}?secret?ro…' the declared model does not have`);
  });

  test('an invalid policy is a programming error, not a violation', () => {
    expect(() => checkOutput(fitCandidate(), fitDeclared, { ...policy, exampleCountGranularity: 0 })).toThrow(expect.objectContaining({ code: 'OUTPUT_POLICY_INVALID' }));
  });
});

describe('checkOutput: sums', () => {
  const statisticsDeclared: DeclaredOutput = { tensors: declaredTensors(spec, 'statistics'), metrics: declaredMetrics(spec, 'statistics') };
  const evaluateDeclared: DeclaredOutput = { tensors: declaredTensors(spec, 'evaluate'), metrics: declaredMetrics(spec, 'evaluate') };

  function sumsResult(kind: 'statistics' | 'evaluate', length: number, changes: Record<string, unknown> = {}): Record<string, unknown> {
    const name = kind === 'statistics' ? 'statistics' : 'evaluation';
    return { kind, weight: 1, elementCount: length, dtype: 'float64', backend: 'cpu', epochLosses: [], seconds: 0.01, tensors: [{ name, shape: [length], dtype: 'float64' }], metrics: {}, ...changes };
  }

  test('statistics far beyond the fit norm bound pass with weight 1, unclipped', () => {
    const vector = Float64Array.from([500, 1e6, 2e6, 3e6, 4e6, 1e12, 2e12, 3e12, 4e12]);

    const check = checkOutput({ kind: 'statistics', result: sumsResult('statistics', 9), vector, files: FILES }, statisticsDeclared, policy);

    expect(check).toMatchObject({ ok: true, weight: 1, clipped: false });
    if (check.ok) expect(check.vector).toBe(vector);
  });

  test('an evaluation of the declared length passes', () => {
    const length = 3 + 2 * AUC_BINS;

    const check = checkOutput({ kind: 'evaluate', result: sumsResult('evaluate', length), vector: new Float64Array(length).fill(2), files: FILES }, evaluateDeclared, policy);

    expect(check).toMatchObject({ ok: true, weight: 1 });
  });

  test('statistics for a column the job did not select', () => {
    const check = checkOutput({ kind: 'statistics', result: sumsResult('statistics', 11), vector: new Float64Array(11), files: FILES }, statisticsDeclared, policy);

    expect(violation(check)).toEqual({ violation: 'OUTPUT_TENSOR_MISMATCH', reason: 'tensor 0 (statistics) has shape [11]; the declared statistics output has [9]' });
  });

  test('a weight other than 1 on sums', () => {
    const check = checkOutput({ kind: 'statistics', result: sumsResult('statistics', 9, { weight: 40 }), vector: new Float64Array(9), files: FILES }, statisticsDeclared, policy);

    expect(violation(check)).toEqual({ violation: 'OUTPUT_MALFORMED', reason: 'a statistics result must weigh 1' });
  });

  test('a loss reported with an evaluation', () => {
    const length = 3 + 2 * AUC_BINS;
    const check = checkOutput({ kind: 'evaluate', result: sumsResult('evaluate', length, { metrics: { loss: 0.3 } }), vector: new Float64Array(length), files: FILES }, evaluateDeclared, policy);

    expect(violation(check)).toEqual({ violation: 'OUTPUT_UNDECLARED_METRIC', reason: "the trainer reports a metric 'loss' the job does not declare (declared: none)" });
  });
});
