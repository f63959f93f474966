/**
 * The trainer process: runs one task on the organisation's data in
 * isolation from the agent. Usage: trainer-main.js --input <dir> --output <dir>
 * (see trainer-contract.ts). It never prints data; its only output is the
 * contribution file and a small result record.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, ShoalError } from '../../common/errors';
import { needsConvolutionGradients } from '../../common/model/build-model';
import { selectBackend } from '../../common/model/tf-backend';
import { loadTabularData } from '../../common/tabular-dataset';
import { runTask, trainerResult } from './run-task';
import { TRAINER_EXIT, TRAINER_FILES, type TrainerFailure, type TrainerTask } from './trainer-contract';

function argument(name: string): string {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (!value) throw new Error(`missing ${name} <dir>`);
  return value;
}

async function main(): Promise<number> {
  const started = Date.now();
  const input = argument('--input');
  const output = argument('--output');
  const task = JSON.parse(readFileSync(join(input, TRAINER_FILES.task), 'utf8')) as TrainerTask;
  const backend = await selectBackend({ needsConvolutionGradients: needsConvolutionGradients(task.model) });
  let weights: Float32Array | null = null;
  if (task.kind !== 'statistics') {
    const bytes = readFileSync(join(input, TRAINER_FILES.model));
    weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  try {
    const data = loadTabularData(task.dataset.path, task.dataset);
    const result = runTask(task, data, weights);
    const contribution = result.contribution;
    writeFileSync(join(output, TRAINER_FILES.contribution), Buffer.from(contribution.buffer, contribution.byteOffset, contribution.byteLength));
    const record = trainerResult(task.kind, result, backend, (Date.now() - started) / 1000);
    writeFileSync(join(output, TRAINER_FILES.result), JSON.stringify(record));
    return TRAINER_EXIT.ok;
  } catch (err) {
    const failure: TrainerFailure = { code: err instanceof ShoalError ? err.code : 'TRAINER_FAILED', message: errorMessage(err) };
    writeFileSync(join(output, TRAINER_FILES.error), JSON.stringify(failure));
    return err instanceof ShoalError && err.code.startsWith('DATASET_') ? TRAINER_EXIT.dataError : TRAINER_EXIT.taskError;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`shoal-trainer: ${errorMessage(err)}\n`);
    process.exit(TRAINER_EXIT.taskError);
  },
);
