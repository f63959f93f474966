/**
 * The job spec: the YAML file a regulator writes. This module owns its
 * schema, its defaults, and the compile step that returns a fully-populated
 * spec, so the rest of the code never deals with missing settings.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, errorMessage } from './errors';
import { ID_PATTERN, ID_PATTERN_TEXT } from './ids';
import { parseWithSchema, problemsError, type FieldProblem } from './schema-errors';
import { collectionGraphProblem, DEFAULT_COLLUSION_FRACTION, DEFAULT_DROPOUT_RATE } from './secagg/collection-plan';

// Job, requester, organisation and dataset ids name files and NATS subjects at every organisation.
const identifier = z.string().regex(ID_PATTERN, ID_PATTERN_TEXT);

/** Layer classes a declarative model may use. Anything else is refused, so no regulator code runs at an organisation. */
export const ALLOWED_LAYER_CLASSES = [
  'Dense', 'Dropout', 'Flatten', 'Reshape', 'Activation', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'BatchNormalization',
] as const;

/** Layers whose gradients the wasm backend lacks; a model using them trains on the cpu backend. */
export const LAYERS_NEEDING_CPU_BACKEND: readonly string[] = ['Conv2D', 'MaxPooling2D', 'AveragePooling2D'];

const positiveInt = z.number().int().min(1).max(1_000_000);
const shape = z.array(positiveInt).min(1).max(8);
/** One size per spatial dimension, or one for all. */
const window = z.union([positiveInt, z.array(positiveInt).min(1).max(3)]);

/**
 * Passed to the tfjs layer constructor (camelCase, as in tf.layers.dense({...})).
 * The settings shared by the allowed layers are checked here, so a wrong one
 * is refused with its field path rather than failing inside tfjs mid-job;
 * others pass through to tfjs as written.
 */
const layerConfigSchema = z.looseObject({
  units: positiveInt.optional(),
  filters: positiveInt.optional(),
  inputShape: shape.optional(),
  batchInputShape: z.array(positiveInt.nullable()).min(2).max(9).optional(),
  targetShape: shape.optional(),
  kernelSize: window.optional(),
  poolSize: window.optional(),
  strides: window.optional(),
  activation: z.enum(['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new']).optional(),
  rate: z.number().min(0).lt(1).optional(),
  useBias: z.boolean().optional(),
  padding: z.enum(['valid', 'same']).optional(),
  name: z.string().max(128).optional(),
});

const layerSchema = z.strictObject({
  className: z.enum(ALLOWED_LAYER_CLASSES),
  config: layerConfigSchema.default({}),
});

const modelSchema = z.strictObject({
  type: z.literal('sequential').default('sequential'),
  layers: z.array(layerSchema).min(1, 'at least one layer'),
  loss: z.enum(['binaryCrossentropy', 'categoricalCrossentropy', 'meanSquaredError']),
});

const trainingSchema = z.strictObject({
  rounds: z.number().int().min(1).max(10000),
  localEpochs: z.number().int().min(1).max(1000).default(1),
  batchSize: z.number().int().min(1).max(65536).default(32),
  learningRate: z.number().positive().max(10).default(0.001),
  optimizer: z.enum(['sgd', 'adam', 'rmsprop', 'adagrad']).default('adam'),
});

const serverLearningRate = z.number().positive().max(100);
const adaptive = {
  serverLearningRate: serverLearningRate.default(0.01),
  beta1: z.number().min(0).max(0.9999).default(0.9),
  beta2: z.number().min(0).max(0.99999).default(0.99),
  tau: z.number().positive().default(1e-3),
};

export const strategySchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('fedavg'), serverLearningRate: serverLearningRate.default(1) }),
  z.strictObject({ name: z.literal('fedprox'), serverLearningRate: serverLearningRate.default(1), proximalMu: z.number().positive().max(100) }),
  z.strictObject({ name: z.literal('fedsgd'), serverLearningRate: serverLearningRate.default(0.1) }),
  z.strictObject({ name: z.literal('fedavgm'), serverLearningRate: serverLearningRate.default(1), momentum: z.number().min(0).max(0.9999).default(0.9) }),
  z.strictObject({ name: z.literal('fedadam'), ...adaptive }),
  z.strictObject({ name: z.literal('fedyogi'), ...adaptive }),
  z.strictObject({ name: z.literal('fedadagrad'), ...adaptive }),
]);
export type StrategySpec = z.output<typeof strategySchema>;

const datasetSchema = z.strictObject({
  /** Each organisation maps this name to its own local file in its agent config. */
  name: identifier,
  /** Column names; "X1..X23" expands to X1, X2, …, X23. */
  features: z.array(z.string().min(1)).min(1, 'at least one feature column'),
  label: z.string().min(1),
  /** Binary labels are 0/1 with one sigmoid output; categorical labels are class indices 0..classes-1, one-hot encoded. */
  labelType: z.enum(['binary', 'categorical', 'continuous']).default('binary'),
  classes: z.number().int().min(2).max(1000).optional(),
});

const evaluationSchema = z.strictObject({
  metrics: z.array(z.enum(['loss', 'accuracy', 'auc'])).min(1).default(['loss', 'accuracy', 'auc']),
  /** Share of each organisation's rows kept out of local training and used to evaluate the global model. */
  validationFraction: z.number().min(0.01).max(0.5).default(0.2),
});

const secureAggregationSchema = z.strictObject({
  /** On by default: the aggregator learns only the sum of each round's contributions. */
  enabled: z.boolean().default(true),
  /** Shares needed to reconstruct a secret within a neighbourhood of m; default: the smallest that keeps the exposure below 2^-40 for collusionFraction. */
  threshold: z.number().int().min(1).optional(),
  /** Neighbours of each participant (SecAgg+); default: the complete graph up to 20 participants, beyond that the smallest degree that also tolerates dropoutRate. */
  neighbours: z.number().int().min(1).optional(),
  /** Each weighted update value is clipped to ±clippingRange before quantisation into Z_{2^32}. */
  clippingRange: z.number().positive().max(1e6).default(4),
  /** A participant's weight is min(1, examples / maxWeight): bounded, so the weighted sum stays in range. */
  maxWeight: z.number().positive().default(100000),
  /** How long each key-agreement and unmasking phase waits for participants. */
  phaseTimeoutSeconds: z.number().positive().max(3600).default(30),
  /** γ: the fraction of participants that may collude with the aggregator; the degree and threshold are chosen so that this many cannot expose anyone. */
  collusionFraction: z.number().min(0).lt(0.5).default(DEFAULT_COLLUSION_FRACTION),
  /** The fraction of a collection's members expected to drop out; the threshold leaves room for them. */
  dropoutRate: z.number().min(0).lt(0.5).default(DEFAULT_DROPOUT_RATE),
});

const differentialPrivacySchema = z.strictObject({
  /** central: the coordinator adds the noise to the aggregate; distributed: each participant adds its share, so no noiseless sum exists anywhere. */
  mode: z.enum(['central', 'distributed']).default('central'),
  /** Privacy budget ε at delta; the job ends before a round would exceed it. */
  epsilon: z.number().positive().max(1000),
  delta: z.number().gt(0).lt(1).default(1e-5),
  /** Each participant clips its update to this L2 norm. */
  clipNorm: z.number().positive().max(1e6).default(1),
  /** Noise std on the sum is noiseMultiplier · clipNorm; absent: the smallest that fits every planned round into the budget. */
  noiseMultiplier: z.number().positive().max(1e4).optional(),
});

export const jobSpecSchema = z.strictObject({
  apiVersion: z.literal('shoal/v1'),
  jobId: identifier,
  requester: identifier,
  invitedOrgs: z.array(identifier).min(1, 'at least one organisation'),
  dataset: datasetSchema,
  model: modelSchema,
  training: trainingSchema,
  strategy: strategySchema.default({ name: 'fedavg', serverLearningRate: 1 }),
  preprocessing: z.strictObject({ normalize: z.boolean().default(true) }).default({ normalize: true }),
  minParticipants: z.number().int().min(1),
  fractionPerRound: z.number().gt(0).max(1).default(1),
  roundDeadlineSeconds: z.number().positive().max(86400).default(300),
  admissionSeconds: z.number().positive().max(86400).default(60),
  /** Consecutive rounds a participant may miss before it is dropped from the job. */
  maxMissedRounds: z.number().int().min(1).default(1),
  evaluation: evaluationSchema.default({ metrics: ['loss', 'accuracy', 'auc'], validationFraction: 0.2 }),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** What each training run may use at an organisation; each organisation caps these at its own limits. */
  resources: z.strictObject({
    memoryMiB: z.number().int().min(64).max(1024 * 1024).optional(),
    cpus: z.number().positive().max(256).optional(),
    pids: z.number().int().min(8).max(65536).optional(),
  }).optional(),
  /**
   * The regulator's own training image, instead of the organisation's trainer
   * running the declarative model. It follows the trainer contract (inputs at
   * /in, data at /data, outputs at /out, exit code) and runs only where the
   * organisation allowlists its digest.
   */
  trainingImage: z.strictObject({
    reference: z.string().min(1),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'an image id "sha256:<64 hex digits>"'),
  }).optional(),
  secureAggregation: secureAggregationSchema.default({ enabled: true, clippingRange: 4, maxWeight: 100000, phaseTimeoutSeconds: 30, collusionFraction: DEFAULT_COLLUSION_FRACTION, dropoutRate: DEFAULT_DROPOUT_RATE }),
  /** Absent: no differential privacy. */
  differentialPrivacy: differentialPrivacySchema.optional(),
});

export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type JobSpec = z.output<typeof jobSpecSchema> & { dataset: { features: string[] } };

/** "X1..X23" → ["X1", …, "X23"]; other names unchanged. */
export function expandColumns(columns: string[]): string[] {
  const out: string[] = [];
  for (const column of columns) {
    const range = /^([A-Za-z_]*)(\d+)\.\.([A-Za-z_]*)(\d+)$/.exec(column);
    if (!range || range[1] !== range[3]) {
      out.push(column);
      continue;
    }
    const [from, to] = [Number(range[2]), Number(range[4])];
    if (to < from || to - from > 100000) {
      throw problemsError('job spec', [{ path: 'dataset.features', expected: 'a range that counts upwards and holds at most 100001 columns', found: `"${column}"` }]);
    }
    for (let i = from; i <= to; i++) out.push(`${range[1]}${i}`);
  }
  return out;
}

/** Cross-field rules the schema alone cannot express. */
function checkConsistency(spec: JobSpec): void {
  const problems: FieldProblem[] = [];
  const push = (path: string, expected: string, found: string): void => {
    problems.push({ path, expected, found });
  };
  if (spec.minParticipants > spec.invitedOrgs.length) {
    push('minParticipants', `at most the ${spec.invitedOrgs.length} invited organisations`, String(spec.minParticipants));
  }
  if (new Set(spec.invitedOrgs).size !== spec.invitedOrgs.length) push('invitedOrgs', 'each organisation once', 'a duplicate');
  if (spec.dataset.features.includes(spec.dataset.label)) push('dataset.label', 'a column that is not also a feature', `"${spec.dataset.label}" among the features`);
  if (new Set(spec.dataset.features).size !== spec.dataset.features.length) push('dataset.features', 'each column once', 'a duplicate');
  if (spec.dataset.labelType === 'categorical' && spec.dataset.classes === undefined) push('dataset.classes', 'the number of classes for a categorical label', 'nothing');
  if (spec.dataset.labelType !== 'binary' && spec.evaluation.metrics.includes('auc')) push('evaluation.metrics', 'no "auc" unless dataset.labelType is binary', `"auc" with labelType ${spec.dataset.labelType}`);
  const firstConfig = spec.model.layers[0].config;
  if (!('inputShape' in firstConfig) && !('batchInputShape' in firstConfig)) push('model.layers[0].config.inputShape', 'the input shape of the first layer', 'nothing');
  const expectedLoss = { binary: 'binaryCrossentropy', categorical: 'categoricalCrossentropy', continuous: 'meanSquaredError' }[spec.dataset.labelType];
  if (spec.model.loss !== expectedLoss) push('model.loss', `${expectedLoss} for a ${spec.dataset.labelType} label`, spec.model.loss);
  const secure = spec.secureAggregation;
  if (secure.enabled && secure.threshold !== undefined && secure.threshold > spec.invitedOrgs.length) {
    push('secureAggregation.threshold', `at most the ${spec.invitedOrgs.length} invited organisations`, String(secure.threshold));
  }
  if (secure.enabled && spec.invitedOrgs.length > 256) push('invitedOrgs', 'at most 256 organisations with secure aggregation (its exact sums have 8 bits of headroom)', String(spec.invitedOrgs.length));
  if (secure.enabled && spec.invitedOrgs.length <= 256) {
    // Every roster size a round may have (selectCohort picks between the minimum and all invited): a graph unsafe
    // for one of them is refused now, not when that round comes. Only the first unsafe size is reported.
    for (let rosterSize = Math.max(2, spec.minParticipants); rosterSize <= spec.invitedOrgs.length; rosterSize++) {
      const problem = collectionGraphProblem(secure, rosterSize);
      if (problem) {
        problems.push(problem);
        break;
      }
    }
  }
  const dp = spec.differentialPrivacy;
  if (dp?.mode === 'distributed' && !secure.enabled) push('differentialPrivacy.mode', 'central, unless secureAggregation.enabled is true (distributed noise protects only a masked sum)', 'distributed');
  if (problems.length > 0) throw problemsError('job spec', problems);
}

/** Validates a parsed job spec and returns it with defaults filled in and column ranges expanded. */
export function compileJobSpec(input: unknown): JobSpec {
  const parsed = parseWithSchema(jobSpecSchema, input, 'job spec');
  const spec: JobSpec = { ...parsed, dataset: { ...parsed.dataset, features: expandColumns(parsed.dataset.features) } };
  checkConsistency(spec);
  return spec;
}

export function parseJobSpecYaml(text: string, source = 'job spec'): JobSpec {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid YAML: ${errorMessage(err)}`, {}, err);
  }
  return compileJobSpec(document);
}

export function loadJobSpec(path: string): JobSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read job spec ${path}: ${errorMessage(err)}`, { path }, err);
  }
  return parseJobSpecYaml(text, `job spec ${path}`);
}
