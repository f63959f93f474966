import { AUC_BINS } from '../../common/evaluation-metrics';
import { compileJobSpec, type JobSpec } from '../../common/job-spec';
import { buildModel } from '../../common/model/build-model';
import { getWeightsVector } from '../../common/model/model-weights';
import { selectBackend } from '../../common/model/tf-backend';
import { parseCsvTable, selectColumns, type TabularData } from '../../common/tabular-dataset';
import { runTask, trainerResult } from '../trainer/run-task';
import type { TrainerTask } from '../trainer/trainer-contract';
import { checkOutput, type OutputPolicy } from './check-output';
import { countParameters, declaredMetrics, declaredTensors } from './declared-output';

const SMALL_MODEL = {
  layers: [
    { className: 'Dense', config: { units: 3, activation: 'relu', inputShape: [4] } },
    { className: 'Dense', config: { units: 1, activation: 'sigmoid' } },
  ],
  loss: 'binaryCrossentropy',
};

function specWith(model: unknown): JobSpec {
  return compileJobSpec({
    apiVersion: 'shoal/v1',
    jobId: 'declared-output',
    requester: 'regulator',
    invitedOrgs: ['bank-1'],
    minParticipants: 1,
    dataset: { name: 'loans', features: ['a', 'b', 'c', 'd'], label: 'y', labelType: 'binary' },
    model,
    training: { rounds: 1 },
    seed: 11,
  });
}

const spec = specWith(SMALL_MODEL);

beforeAll(async () => {
  // As the trainer does; the declarations must not depend on which backend built them.
  await selectBackend({ needsConvolutionGradients: false });
});

describe('declaredTensors', () => {
  test('a fit declares every weight of the model, named by layer index and weight kind', () => {
    expect(declaredTensors(spec, 'fit')).toEqual([
      { name: '0/kernel', shape: [4, 3], dtype: 'float32' },
      { name: '0/bias', shape: [3], dtype: 'float32' },
      { name: '1/kernel', shape: [3, 1], dtype: 'float32' },
      { name: '1/bias', shape: [1], dtype: 'float32' },
    ]);
  });

  test('names do not depend on how many models the process built before', () => {
    const first = declaredTensors(spec, 'fit');
    buildModel(spec.model, 3).dispose();
    buildModel(spec.model, 4).dispose();

    expect(declaredTensors(spec, 'fit')).toEqual(first);
  });

  test('statistics declare the row count and two sums per selected column, in float64', () => {
    expect(declaredTensors(spec, 'statistics')).toEqual([{ name: 'statistics', shape: [9], dtype: 'float64' }]);
  });

  test('an evaluation declares the vector of its label type', () => {
    expect(declaredTensors(spec, 'evaluate')).toEqual([{ name: 'evaluation', shape: [3 + 2 * AUC_BINS], dtype: 'float64' }]);
  });

  test('a batch normalisation layer declares its moving statistics too, since they travel in the vector', () => {
    const withNorm = specWith({ ...SMALL_MODEL, layers: [SMALL_MODEL.layers[0], { className: 'BatchNormalization', config: {} }, SMALL_MODEL.layers[1]] });

    expect(declaredTensors(withNorm, 'fit').map((t) => `${t.name}:${t.shape.join('x')}`)).toEqual([
      '0/kernel:4x3', '0/bias:3', '1/gamma:3', '1/beta:3', '2/kernel:3x1', '2/bias:1', '1/moving_mean:3', '1/moving_variance:3',
    ]);
    expect(countParameters(withNorm.model)).toBe(19 + 4 * 3);
  });
});

describe('countParameters and declaredMetrics', () => {
  test('the small model has 4·3 + 3 + 3·1 + 1 = 19 parameters', () => {
    expect(countParameters(spec.model)).toBe(19);
  });

  test('only a fit may report a scalar, its loss', () => {
    expect(declaredMetrics(spec, 'fit')).toEqual(['loss']);
    expect(declaredMetrics(spec, 'statistics')).toEqual([]);
    expect(declaredMetrics(spec, 'evaluate')).toEqual([]);
  });
});

describe('what the real trainer code produces passes the check', () => {
  /** 20 rows, deterministic: y is 1 where a + b > c + d. */
  function dataset(): TabularData {
    const lines = ['a,b,c,d,y'];
    for (let r = 0; r < 20; r++) {
      const [a, b, c, d] = [(r * 7) % 5, (r * 3) % 4, (r * 5) % 6, r % 3].map((v) => v / 2);
      lines.push(`${a},${b},${c},${d},${a + b > c + d ? 1 : 0}`);
    }
    return selectColumns(parseCsvTable(lines.join('\n'), 'test.csv'), spec.dataset, 'test.csv');
  }

  function task(kind: TrainerTask['kind'], mode: 'train' | 'gradient' = 'train'): TrainerTask {
    return {
      kind,
      jobId: spec.jobId,
      round: 1,
      seed: spec.seed,
      dataset: { path: 'test.csv', features: spec.dataset.features, label: spec.dataset.label, labelType: spec.dataset.labelType, classes: spec.dataset.classes },
      validationFraction: 0.2,
      model: spec.model,
      normalization: null,
      fit: kind === 'fit' ? { mode, localEpochs: 3, batchSize: 8, learningRate: 0.05, optimizer: 'adam', proximalMu: 0 } : null,
    };
  }

  function initialWeights(): Float32Array {
    const model = buildModel(spec.model, spec.seed);
    try {
      return getWeightsVector(model).vector;
    } finally {
      model.dispose();
    }
  }

  const policy: OutputPolicy = { maxL2Norm: 100, onNormExceeded: 'reject', exampleCountGranularity: 10, maxViolations: 1, requireRelease: false };

  /** Runs the task as trainer-main does, passes result.json and contribution.bin through bytes as the agent reads them, and checks them. */
  function trainAndCheck(kind: TrainerTask['kind'], mode: 'train' | 'gradient' = 'train') {
    const output = runTask(task(kind, mode), dataset(), kind === 'statistics' ? null : initialWeights());
    const result = JSON.parse(JSON.stringify(trainerResult(kind, output, 'wasm', 0.5))) as Record<string, unknown>;
    const bytes = Buffer.from(output.contribution.buffer, output.contribution.byteOffset, output.contribution.byteLength);
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const vector = result.dtype === 'float64' ? new Float64Array(copy) : new Float32Array(copy);
    const check = checkOutput({ kind, result, vector, files: ['contribution.bin', 'result.json'] }, { tensors: declaredTensors(spec, kind), metrics: declaredMetrics(spec, kind) }, policy);
    return { output, result, check };
  }

  test('a local training run: the declared tensors, its last epoch loss, 16 examples coarsened to 10', () => {
    const { output, result, check } = trainAndCheck('fit');

    expect(result.tensors).toEqual(declaredTensors(spec, 'fit'));
    expect(output.epochLosses).toHaveLength(3);
    expect(result.metrics).toEqual({ loss: output.epochLosses[2] });
    expect(check).toMatchObject({ ok: true, weight: 10, clipped: false });
    if (check.ok) expect(check.l2Norm).toBeGreaterThan(0);
  });

  test('a gradient step reports the same tensors and no loss', () => {
    const { result, check } = trainAndCheck('fit', 'gradient');

    expect(result.tensors).toEqual(declaredTensors(spec, 'fit'));
    expect(result.metrics).toEqual({});
    expect(check).toMatchObject({ ok: true, weight: 10 });
  });

  test('statistics', () => {
    const { result, check } = trainAndCheck('statistics');

    expect(result).toMatchObject({ tensors: [{ name: 'statistics', shape: [9], dtype: 'float64' }], metrics: {}, weight: 1, elementCount: 9 });
    expect(check).toMatchObject({ ok: true, weight: 1 });
  });

  test('an evaluation', () => {
    const { result, check } = trainAndCheck('evaluate');

    expect(result).toMatchObject({ tensors: [{ name: 'evaluation', shape: [3 + 2 * AUC_BINS], dtype: 'float64' }], metrics: {}, weight: 1 });
    expect(check).toMatchObject({ ok: true, weight: 1 });
  });

  test('a job whose declared model differs from what was trained is refused', () => {
    const output = runTask(task('fit'), dataset(), initialWeights());
    const result = JSON.parse(JSON.stringify(trainerResult('fit', output, 'wasm', 0.5))) as Record<string, unknown>;
    const wider = specWith({ ...SMALL_MODEL, layers: [{ className: 'Dense', config: { units: 5, activation: 'relu', inputShape: [4] } }, SMALL_MODEL.layers[1]] });

    const check = checkOutput({ kind: 'fit', result, vector: output.contribution, files: ['result.json', 'contribution.bin'] }, { tensors: declaredTensors(wider, 'fit'), metrics: ['loss'] }, policy);

    expect(check).toEqual({ ok: false, violation: 'OUTPUT_TENSOR_MISMATCH', reason: 'tensor 0 (0/kernel) has shape [4,3]; the declared model has [4,5]' });
  });
});
