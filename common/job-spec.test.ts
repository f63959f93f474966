import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ShoalError } from './errors';
import { compileJobSpec, expandColumns, loadJobSpec, parseJobSpecYaml } from './job-spec';
import { thrownShoalError } from './testing/thrown-shoal-error';

const CREDIT_DEFAULT = join(__dirname, '..', 'examples', 'credit-default', 'job.yaml');
const MNIST = join(__dirname, '..', 'examples', 'mnist', 'job.yaml');
const creditText = readFileSync(CREDIT_DEFAULT, 'utf8');

/** The credit-default example with one exact piece of text replaced; fails loudly if the example no longer holds that text. */
function editedExample(from: string, to: string): string {
  expect(creditText).toContain(from);
  return creditText.replace(from, to);
}

/** The credit-default example as a plain object, for edits that are clearer on the structure than on the text. */
function exampleDocument(): Record<string, any> {
  return parseYaml(creditText) as Record<string, any>;
}

const thrownBy = (action: () => unknown): ShoalError => thrownShoalError(action, 'CONFIG_INVALID');

function problemPaths(error: ShoalError): string[] {
  const problems = error.details.problems as Array<{ path: string } | string>;
  return problems.map((p) => (typeof p === 'string' ? p : p.path));
}

describe('the shipped examples', () => {
  it('compiles the credit-default job as written', () => {
    const spec = loadJobSpec(CREDIT_DEFAULT);

    expect(spec.jobId).toBe('credit-default-mlp');
    expect(spec.invitedOrgs).toEqual(['bank-1', 'bank-2', 'bank-3', 'bank-4', 'bank-5']);
    expect(spec.dataset.features).toHaveLength(23);
    expect(spec.dataset.features[0]).toBe('X1');
    expect(spec.dataset.features[22]).toBe('X23');
    expect(spec.training).toEqual({ rounds: 20, localEpochs: 2, batchSize: 64, learningRate: 0.001, optimizer: 'adam' });
    expect(spec.seed).toBe(42);
  });

  it('compiles the MNIST job with 784 pixel features', () => {
    const spec = loadJobSpec(MNIST);

    expect(spec.dataset.features).toHaveLength(784);
    expect(spec.dataset.features[0]).toBe('p0');
    expect(spec.dataset.features[783]).toBe('p783');
    expect(spec.dataset.labelType).toBe('categorical');
    expect(spec.dataset.classes).toBe(10);
    expect(spec.model.layers.map((layer) => layer.className)).toEqual(['Reshape', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
  });
});

describe('defaults', () => {
  it('fills every optional setting of a minimal spec', () => {
    const spec = compileJobSpec({
      apiVersion: 'shoal/v1',
      jobId: 'tiny',
      requester: 'regulator',
      invitedOrgs: ['org-a', 'org-b'],
      dataset: { name: 'tiny', features: ['a', 'b'], label: 'y' },
      model: { layers: [{ className: 'Dense', config: { units: 1, inputShape: [2] } }], loss: 'binaryCrossentropy' },
      training: { rounds: 3 },
      minParticipants: 2,
    });

    expect(spec.strategy).toEqual({ name: 'fedavg', serverLearningRate: 1 });
    expect(spec.seed).toBe(0);
    expect(spec.dataset.labelType).toBe('binary');
    expect(spec.model.type).toBe('sequential');
    expect(spec.training).toEqual({ rounds: 3, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' });
    expect(spec.preprocessing).toEqual({ normalize: true });
    expect(spec.evaluation).toEqual({ metrics: ['loss', 'accuracy', 'auc'], validationFraction: 0.2 });
    expect(spec.fractionPerRound).toBe(1);
    expect(spec.roundDeadlineSeconds).toBe(300);
    expect(spec.admissionSeconds).toBe(60);
    expect(spec.maxMissedRounds).toBe(1);
  });

  it('fills a layer without config with an empty one', () => {
    const spec = parseJobSpecYaml(editedExample('    - className: Dense\n      config: { units: 16, activation: relu }\n', '    - className: Flatten\n'));

    expect(spec.model.layers[1]).toEqual({ className: 'Flatten', config: {} });
  });
});

describe('misspelled keys', () => {
  it('suggests minParticipants for minParticipant at the top level', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('minParticipants: 3', 'minParticipant: 3')));

    expect(error.message).toContain('minParticipant: expected no such field (did you mean "minParticipants"?); found unknown field "minParticipant"');
    // The real key is now absent, which is reported too.
    expect(error.message).toMatch(/minParticipants: expected .*number.*; found nothing/);
    expect(problemPaths(error).sort()).toEqual(['minParticipant', 'minParticipants']);
  });

  it('suggests training.localEpochs for training.localEpoch', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  localEpochs: 2', '  localEpoch: 2')));

    expect(error.message).toContain('training.localEpoch: expected no such field (did you mean "localEpochs"?); found unknown field "localEpoch"');
    expect(problemPaths(error)).toEqual(['training.localEpoch']);
  });

  it('lists the known fields when an unknown key resembles none of them', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('preprocessing:\n  normalize: true', 'preprocessing:\n  normalize: true\n  zzzzzzzzzzzz: 1')));

    expect(error.message).toContain('preprocessing.zzzzzzzzzzzz: expected one of the known fields: normalize; found unknown field "zzzzzzzzzzzz"');
  });
});

describe('wrong types and out-of-range values', () => {
  it('names training.rounds, a number, and the string found', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  rounds: 20', '  rounds: "ten"')));

    expect(error.message).toMatch(/training\.rounds: expected .*number.*; found the string "ten"/);
    expect(problemPaths(error)).toEqual(['training.rounds']);
  });

  it.each(['credit.default', 'audit.jsonl', '../x', 'Credit'])('refuses the job id %j: ids name files and NATS subjects, so no dots or slashes', (jobId) => {
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), jobId }));

    expect(error.message).toContain(`jobId: expected a lower-case identifier (letters, digits, "_", "-"; no dots or slashes; at most 63 characters); found the string ${JSON.stringify(jobId)}`);
    expect(problemPaths(error)).toEqual(['jobId']);
  });

  it('refuses an invited organisation or dataset name with a dot', () => {
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), invitedOrgs: ['bank-1', 'bank.2'], dataset: { ...exampleDocument().dataset, name: 'credit.default' } }));

    expect(problemPaths(error).sort()).toEqual(['dataset.name', 'invitedOrgs[1]']);
  });

  it('refuses zero rounds', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  rounds: 20', '  rounds: 0')));

    expect(error.message).toMatch(/training\.rounds: expected .*>=1.*; found number 0/);
  });

  it('refuses a negative learning rate', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  learningRate: 0.001', '  learningRate: -0.5')));

    expect(error.message).toMatch(/training\.learningRate: expected .*>0.*; found number -0\.5/);
  });

  it('refuses a negative batch size', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  batchSize: 64', '  batchSize: -4')));

    expect(error.message).toMatch(/training\.batchSize: expected .*>=1.*; found number -4/);
  });

  it('refuses a zero round deadline and a zero fraction per round together', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('fractionPerRound: 1\nroundDeadlineSeconds: 120', 'fractionPerRound: 0\nroundDeadlineSeconds: 0')));

    expect(error.message).toMatch(/fractionPerRound: expected .*>0.*; found number 0/);
    expect(error.message).toMatch(/roundDeadlineSeconds: expected .*>0.*; found number 0/);
    expect(problemPaths(error).sort()).toEqual(['fractionPerRound', 'roundDeadlineSeconds']);
  });

  it('refuses zero minParticipants', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('minParticipants: 3', 'minParticipants: 0')));

    expect(error.message).toMatch(/minParticipants: expected .*>=1.*; found number 0/);
  });

  it('states what was expected once, without the schema library\'s own prefixes', () => {
    const wrongType = thrownBy(() => parseJobSpecYaml(editedExample('  rounds: 20', '  rounds: "ten"')));
    const tooSmall = thrownBy(() => parseJobSpecYaml(editedExample('  rounds: 20', '  rounds: 0')));

    expect(wrongType.message).toContain('training.rounds: expected number; found the string "ten"');
    expect(tooSmall.message).not.toMatch(/expected (expected|Too small)/);
  });
});

describe('the model', () => {
  it('refuses a layer class outside the allowed list and names its index', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('    - className: Dense\n      config: { units: 16', '    - className: LSTM\n      config: { units: 16')));

    expect(error.message).toMatch(/model\.layers\[1\]\.className: expected .*"Dense".*"Conv2D".*; found the string "LSTM"/);
    expect(problemPaths(error)).toEqual(['model.layers[1].className']);
  });

  it('requires the input shape on the first layer', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('{ units: 32, activation: relu, inputShape: [23] }', '{ units: 32, activation: relu }')));

    expect(error.message).toContain('model.layers[0].config.inputShape: expected the input shape of the first layer; found nothing');
  });

  it('accepts batchInputShape in place of inputShape', () => {
    const spec = parseJobSpecYaml(editedExample('inputShape: [23]', 'batchInputShape: [null, 23]'));

    expect(spec.model.layers[0].config).toEqual({ units: 32, activation: 'relu', batchInputShape: [null, 23] });
  });

  it('refuses a loss that does not match the label type', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  loss: binaryCrossentropy', '  loss: meanSquaredError')));

    expect(error.message).toContain('model.loss: expected binaryCrossentropy for a binary label; found meanSquaredError');
  });
});

describe('the strategy', () => {
  it('refuses an unknown strategy name and lists the known ones', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  name: fedavg', '  name: fedmagic')));

    expect(error.message).toMatch(/strategy\.name: expected .*fedavg.*fedprox.*fedadagrad.*; found the string "fedmagic"/);
    expect(problemPaths(error)).toEqual(['strategy.name']);
  });

  it('requires proximalMu for fedprox', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  name: fedavg', '  name: fedprox')));

    expect(error.message).toMatch(/strategy\.proximalMu: expected .*number.*; found nothing/);
    expect(problemPaths(error)).toEqual(['strategy.proximalMu']);
  });

  it('fills fedprox defaults when proximalMu is given', () => {
    const spec = parseJobSpecYaml(editedExample('  name: fedavg', '  name: fedprox\n  proximalMu: 0.01'));

    expect(spec.strategy).toEqual({ name: 'fedprox', serverLearningRate: 1, proximalMu: 0.01 });
  });
});

describe('cross-field rules', () => {
  it('refuses more minimum participants than invited organisations', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('minParticipants: 3', 'minParticipants: 6')));

    expect(error.message).toContain('minParticipants: expected at most the 5 invited organisations; found 6');
  });

  it('refuses a label that is also a feature', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('  label: Y', '  label: X5')));

    expect(error.message).toContain('dataset.label: expected a column that is not also a feature; found "X5" among the features');
  });

  it('requires classes for a categorical label', () => {
    const document = exampleDocument();
    document.dataset.labelType = 'categorical';
    document.model.loss = 'categoricalCrossentropy';
    document.evaluation.metrics = ['loss', 'accuracy'];

    const error = thrownBy(() => compileJobSpec(document));

    expect(error.message).toContain('dataset.classes: expected the number of classes for a categorical label; found nothing');
    expect(error.message).not.toContain('evaluation.metrics');
  });

  it('refuses auc with a categorical label', () => {
    const document = exampleDocument();
    document.dataset.labelType = 'categorical';
    document.dataset.classes = 3;
    document.model.loss = 'categoricalCrossentropy';

    const error = thrownBy(() => compileJobSpec(document));

    expect(error.message).toContain('evaluation.metrics: expected no "auc" unless dataset.labelType is binary; found "auc" with labelType categorical');
    expect(error.message).not.toContain('dataset.classes');
  });

  it('reports cross-field problems in the same structured form as schema problems', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('minParticipants: 3', 'minParticipants: 6')));

    expect(error.details.problems).toEqual([{ path: 'minParticipants', expected: 'at most the 5 invited organisations', found: '6' }]);
  });
});

describe('reading the file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-job-spec-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the source when the YAML does not parse', () => {
    const error = thrownBy(() => parseJobSpecYaml('training:\n  rounds: [1, 2\nseed: :', 'job.yaml'));

    expect(error.message).toMatch(/^job\.yaml is not valid YAML: /);
    expect(error.cause).toBeDefined();
  });

  it('names the file when the YAML in it does not parse', () => {
    const path = join(dir, 'job.yaml');
    writeFileSync(path, 'invitedOrgs: [bank-1, bank-2\nseed: 1\n');

    const error = thrownBy(() => loadJobSpec(path));

    expect(error.message).toContain(`job spec ${path} is not valid YAML`);
  });

  it('names the path of a missing file', () => {
    const path = join(dir, 'absent.yaml');

    const error = thrownBy(() => loadJobSpec(path));

    expect(error.message).toContain(`cannot read job spec ${path}`);
    expect(error.message).toContain('ENOENT');
    expect(error.details).toEqual({ path });
  });
});

describe('expandColumns', () => {
  it('expands X1..X23 to 23 names in order', () => {
    const columns = expandColumns(['X1..X23']);

    expect(columns).toHaveLength(23);
    expect(columns).toEqual(Array.from({ length: 23 }, (_, i) => `X${i + 1}`));
  });

  it('keeps plain names and expands ranges where they stand', () => {
    expect(expandColumns(['age', 'p0..p2', 'income', '7..9'])).toEqual(['age', 'p0', 'p1', 'p2', 'income', '7', '8', '9']);
  });

  it('expands a one-column range to that column', () => {
    expect(expandColumns(['X4..X4'])).toEqual(['X4']);
  });

  it('refuses a range that counts downwards', () => {
    const error = thrownBy(() => expandColumns(['X23..X1']));

    expect(error.message).toBe('job spec is invalid:\n  - dataset.features: expected a range that counts upwards and holds at most 100001 columns; found "X23..X1"');
  });

  it('refuses a range of more than 100001 columns', () => {
    const error = thrownBy(() => expandColumns(['c0..c100001']));

    expect(error.message).toContain('"c0..c100001"');
  });

  it('accepts a range of exactly 100001 columns', () => {
    expect(expandColumns(['c0..c100000'])).toHaveLength(100001);
  });

  it('reports a bad range in a job spec as a CONFIG_INVALID error naming dataset.features', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('[X1..X23]', '[X23..X1]')));

    expect(error.message).toContain('dataset.features');
    expect(error.message).toContain('X23..X1');
  });

  it('finds duplicates that only appear after expansion', () => {
    const error = thrownBy(() => parseJobSpecYaml(editedExample('[X1..X23]', '[X1..X23, X7]')));

    expect(error.message).toContain('dataset.features: expected each column once; found a duplicate');
  });
});

describe('privacy settings', () => {
  it('turns secure aggregation on by default and leaves differential privacy off', () => {
    const spec = compileJobSpec(exampleDocument());

    expect(spec.secureAggregation).toEqual({ enabled: true, clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30, collusionFraction: 0.1, dropoutRate: 0.1 });
    expect(spec.differentialPrivacy).toBeUndefined();
  });

  it('fills differential privacy defaults around the ε budget', () => {
    const spec = compileJobSpec({ ...exampleDocument(), differentialPrivacy: { epsilon: 8 } });

    expect(spec.differentialPrivacy).toEqual({ mode: 'central', epsilon: 8, delta: 1e-5, clipNorm: 1 });
  });

  it('refuses distributed noise without secure aggregation, naming the field', () => {
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), secureAggregation: { enabled: false }, differentialPrivacy: { epsilon: 1, mode: 'distributed' } }));

    expect(problemPaths(error)).toEqual(['differentialPrivacy.mode']);
    expect(error.message).toContain('distributed noise protects only a masked sum');
  });

  it('refuses a secure-aggregation threshold above the number of invited organisations', () => {
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), secureAggregation: { threshold: 6 } }));

    expect(problemPaths(error)).toEqual(['secureAggregation.threshold']);
  });

  it('refuses a stated threshold that some roster size the job may run with leaves exposed, naming the exposure, γ and the roster', () => {
    // 5 invited, at least 3 per round: rosters 3..5. With γ = 0.4 the roster of 5 has 2 colluders, and 2t − n = 1 for t = 3.
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), secureAggregation: { threshold: 3, collusionFraction: 0.4 } }));

    expect(problemPaths(error)).toEqual(['secureAggregation.threshold']);
    expect(error.message).toContain('expected an exposure probability below 2^-40 with collusion fraction 0.4 for a roster of 5; found exposure probability 1.00 at degree 4, threshold 3');
    // The same threshold at the default γ = 0.1 exposes nobody.
    expect(compileJobSpec({ ...exampleDocument(), secureAggregation: { threshold: 3 } }).secureAggregation.threshold).toBe(3);
  });

  it('refuses a stated threshold below a strict majority for any roster size in range, not just the largest', () => {
    // Fine for a roster of 3 (a majority of 3 is 2), not for 4.
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), secureAggregation: { threshold: 2 } }));

    expect(error.message).toContain('secureAggregation.threshold: expected at least 3, a strict majority of the neighbourhood of 4 for a roster of 4; found 2');
    expect(compileJobSpec({ ...exampleDocument(), minParticipants: 3, invitedOrgs: ['bank-1', 'bank-2', 'bank-3'], secureAggregation: { threshold: 2 } }).secureAggregation.threshold).toBe(2);
  });

  it('refuses a stated degree too sparse for the colluders of a large roster', () => {
    const invitedOrgs = Array.from({ length: 100 }, (_, i) => `bank-${i + 1}`);
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), invitedOrgs, minParticipants: 100, secureAggregation: { neighbours: 8 } }));

    expect(problemPaths(error)).toEqual(['secureAggregation.neighbours']);
    expect(error.message).toContain('no threshold keeps the exposure probability below 2^-40 at degree 8 for a roster of 100 with collusion fraction 0.1');
    // Derived parameters pass for every roster from 2 to 100.
    expect(() => compileJobSpec({ ...exampleDocument(), invitedOrgs, minParticipants: 2 })).not.toThrow();
  });

  it('refuses a non-positive ε and a δ outside (0, 1)', () => {
    const error = thrownBy(() => compileJobSpec({ ...exampleDocument(), differentialPrivacy: { epsilon: 0, delta: 1 } }));

    expect(problemPaths(error).sort()).toEqual(['differentialPrivacy.delta', 'differentialPrivacy.epsilon']);
  });
});
