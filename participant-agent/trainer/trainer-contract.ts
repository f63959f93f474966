/**
 * The contract between the agent and whatever trains on its data (today a
 * child process, later a container): the agent writes task.json and
 * model.bin into a read-only input directory; the trainer writes
 * result.json and contribution.bin (or error.json) into the output
 * directory and exits with one of these codes.
 */
import type { JobSpec } from '../../common/job-spec';

export const TRAINER_EXIT = {
  ok: 0,
  /** The dataset is missing or unreadable, or the task does not fit it (error.json says why). */
  dataError: 2,
  /** The task itself is malformed. */
  taskError: 3,
} as const;

export const TRAINER_FILES = {
  task: 'task.json',
  model: 'model.bin',
  result: 'result.json',
  contribution: 'contribution.bin',
  error: 'error.json',
} as const;

export interface TrainerTask {
  kind: 'statistics' | 'fit' | 'evaluate';
  jobId: string;
  round: number;
  seed: number;
  dataset: Pick<JobSpec['dataset'], 'features' | 'label' | 'labelType' | 'classes'> & { path: string };
  validationFraction: number;
  model: JobSpec['model'];
  normalization: { mean: number[]; std: number[] } | null;
  fit: { mode: 'train' | 'gradient'; localEpochs: number; batchSize: number; learningRate: number; optimizer: 'sgd' | 'adam' | 'rmsprop' | 'adagrad'; proximalMu: number } | null;
}

/** How the trainer describes one tensor of its contribution; the agent holds it against the job's declared output. */
export interface TensorDeclaration {
  name: string;
  shape: number[];
  dtype: 'float32' | 'float64';
}

export interface TrainerResult {
  kind: TrainerTask['kind'];
  /** Weight of the contribution in the aggregate (training examples for fit, 1 for sums). */
  weight: number;
  elementCount: number;
  dtype: 'float32' | 'float64';
  backend: string;
  /** Mean training loss per local epoch (fit only); a declared scalar, not data. */
  epochLosses: number[];
  seconds: number;
  /** The tensors in contribution.bin, in order: what the agent compares against the declared model. */
  tensors: TensorDeclaration[];
  /** Named scalars the trainer reports (e.g. loss for fit); only names the job declared may appear. */
  metrics: Record<string, number>;
}

export interface TrainerFailure {
  code: string;
  message: string;
}

// A Record over keyof TrainerResult: the compiler refuses this list when the interface gains or loses a field.
const RESULT_KEYS: Record<keyof TrainerResult, true> = {
  kind: true, weight: true, elementCount: true, dtype: true, backend: true, epochLosses: true, seconds: true, tensors: true, metrics: true,
};

/** Every key a result.json may hold; the agent refuses any other, so the record cannot grow a side channel. */
export const TRAINER_RESULT_KEYS = Object.keys(RESULT_KEYS) as ReadonlyArray<keyof TrainerResult>;
