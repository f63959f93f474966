/**
 * Task directories for sandbox tests, laid out as the agent lays them out
 * (see job-session.ts): an input folder holding task.json and, for fit and
 * evaluate, model.bin; an empty output folder; and readers for what the
 * trainer left there.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileJobSpec, type JobSpec } from '../../common/job-spec';
import { buildModel } from '../../common/model/build-model';
import { getWeightsVector } from '../../common/model/model-weights';
import { selectBackend } from '../../common/model/tf-backend';
import { TRAINER_FILES, type TrainerFailure, type TrainerResult, type TrainerTask } from '../../participant-agent/trainer/trainer-contract';
import { exampleJobDocument } from './job-spec';

export interface TaskDirs {
  inputDir: string;
  outputDir: string;
}

export interface TrainerOutput {
  files: string[];
  result: TrainerResult | undefined;
  failure: TrainerFailure | undefined;
  contribution: Buffer | undefined;
}

/** The credit-default example spec, compiled: 23 features, a 23-32-16-1 MLP. */
export function creditDefaultSpec(): JobSpec {
  return compileJobSpec({ ...exampleJobDocument(), jobId: 'sandbox-contract' });
}

/** The example model's initial weights, as the coordinator would send them. */
export async function initialWeights(spec: JobSpec): Promise<Float32Array> {
  await selectBackend({ needsConvolutionGradients: false });
  const model = buildModel(spec.model, spec.seed);
  try {
    return getWeightsVector(model).vector;
  } finally {
    model.dispose();
  }
}

/**
 * A task as the trainer reads it. `datasetPath` is the path the trainer
 * sees, which for a container is not the host path.
 */
export function trainerTask(spec: JobSpec, kind: TrainerTask['kind'], datasetPath: string, changes: { features?: string[]; localEpochs?: number } = {}): TrainerTask {
  return {
    kind,
    jobId: spec.jobId,
    round: 1,
    seed: spec.seed,
    dataset: { path: datasetPath, features: changes.features ?? spec.dataset.features, label: spec.dataset.label, labelType: spec.dataset.labelType, classes: spec.dataset.classes },
    validationFraction: spec.evaluation.validationFraction,
    model: spec.model,
    normalization: null,
    fit: kind === 'fit' ? { mode: 'train', localEpochs: changes.localEpochs ?? 1, batchSize: 64, learningRate: 0.001, optimizer: 'adam', proximalMu: 0 } : null,
  };
}

/** Creates `<root>/<name>/in` with the task (and model) and an empty `<root>/<name>/out`. */
export function writeTaskDirs(root: string, name: string, task: TrainerTask | null, model?: Float32Array): TaskDirs {
  const inputDir = join(root, name, 'in');
  const outputDir = join(root, name, 'out');
  mkdirSync(inputDir, { recursive: true });
  mkdirSync(outputDir, { recursive: true });
  if (task) writeFileSync(join(inputDir, TRAINER_FILES.task), JSON.stringify(task));
  if (model) writeFileSync(join(inputDir, TRAINER_FILES.model), Buffer.from(model.buffer, model.byteOffset, model.byteLength));
  return { inputDir, outputDir };
}

function readIfThere(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

export function readTrainerOutput(outputDir: string): TrainerOutput {
  const json = <T>(name: string): T | undefined => {
    const bytes = readIfThere(join(outputDir, name));
    return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : undefined;
  };
  return {
    files: readdirSync(outputDir).sort(),
    result: json<TrainerResult>(TRAINER_FILES.result),
    failure: json<TrainerFailure>(TRAINER_FILES.error),
    contribution: readIfThere(join(outputDir, TRAINER_FILES.contribution)),
  };
}
