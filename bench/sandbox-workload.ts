/**
 * What the sandbox benchmark trains on: the credit-default example job and
 * one simulated bank's slice of its CSV, and task folders laid out the way
 * the agent's job session lays them out (an input folder with task.json and,
 * for fit, model.bin holding the example model's initial weights; an empty
 * output folder).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../common/errors';
import { loadJobSpec, type JobSpec } from '../common/job-spec';
import { TRAINER_FILES, type TrainerResult, type TrainerTask } from '../participant-agent/trainer/trainer-contract';
import { initialWeights } from '../test/support/trainer-task-dir';

export type BenchTaskKind = Extract<TrainerTask['kind'], 'fit' | 'statistics'>;

export interface Workload {
  spec: JobSpec;
  /** The slice of the CSV on the host, readable by others (the container's user is 65534). */
  dataPath: string;
  rows: number;
  initialWeights: Float32Array;
}

export interface TaskFolders {
  inputDir: string;
  outputDir: string;
}

/** The folder holding package.json, from dist/bench or from the sources. */
export function repositoryRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
    dir = dirname(dir);
  }
  return dir;
}

/** Writes the header and the first `rows` data rows of the example CSV to `<scratch>/credit-default-<rows>.csv`. */
function writeSlice(source: string, scratch: string, rows: number): string {
  const lines = readFileSync(source, 'utf8').split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length - 1 < rows) throw new ConfigError(`--rows asks for ${rows} rows but ${source} has ${lines.length - 1}`, { field: 'rows' });
  const target = join(scratch, `credit-default-${rows}.csv`);
  writeFileSync(target, `${lines.slice(0, rows + 1).join('\n')}\n`);
  chmodSync(target, 0o644);
  return target;
}

export async function prepareWorkload(scratch: string, rows: number): Promise<Workload> {
  const example = join(repositoryRoot(), 'examples', 'credit-default');
  const spec = loadJobSpec(join(example, 'job.yaml'));
  const dataPath = writeSlice(join(example, 'credit-default.csv'), scratch, rows);
  return { spec, dataPath, rows, initialWeights: await initialWeights(spec) };
}

/** The task as the trainer reads it; `datasetPath` is where the trainer sees the data (not the host path, in a container). */
export function benchTask(spec: JobSpec, kind: BenchTaskKind, round: number, datasetPath: string): TrainerTask {
  const { training } = spec;
  return {
    kind,
    jobId: spec.jobId,
    round,
    seed: spec.seed,
    dataset: { path: datasetPath, features: spec.dataset.features, label: spec.dataset.label, labelType: spec.dataset.labelType, classes: spec.dataset.classes },
    validationFraction: spec.evaluation.validationFraction,
    model: spec.model,
    // The statistics round would supply these; they change the values the trainer sees, not its work.
    normalization: null,
    fit:
      kind === 'fit'
        ? { mode: 'train', localEpochs: training.localEpochs, batchSize: training.batchSize, learningRate: training.learningRate, optimizer: training.optimizer, proximalMu: 0 }
        : null,
  };
}

/** Creates `<scratch>/<name>/in` with task.json (and model.bin for fit) and an empty `<scratch>/<name>/out`. */
export function writeTaskFolders(scratch: string, name: string, task: TrainerTask, model: Float32Array): TaskFolders {
  const inputDir = join(scratch, name, 'in');
  const outputDir = join(scratch, name, 'out');
  mkdirSync(inputDir, { recursive: true });
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(join(inputDir, TRAINER_FILES.task), JSON.stringify(task));
  if (task.kind === 'fit') writeFileSync(join(inputDir, TRAINER_FILES.model), Buffer.from(model.buffer, model.byteOffset, model.byteLength));
  return { inputDir, outputDir };
}

/** result.json, or undefined when the trainer left none. */
export function readTrainerResult(outputDir: string): TrainerResult | undefined {
  const path = join(outputDir, TRAINER_FILES.result);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as TrainerResult) : undefined;
}

/** error.json's message, or undefined. */
export function readTrainerError(outputDir: string): string | undefined {
  const path = join(outputDir, TRAINER_FILES.error);
  if (!existsSync(path)) return undefined;
  const failure = JSON.parse(readFileSync(path, 'utf8')) as { code?: string; message?: string };
  return `${failure.code ?? 'ERROR'}: ${failure.message ?? ''}`;
}
