/**
 * Everything the coordinator writes into the job's output directory:
 * a checkpoint after every round (written atomically, the last few kept),
 * the final model in tfjs format with its normalisation, and the report.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../common/job-spec';
import { setWeightsVector } from '../common/model/model-weights';
import { saveModel } from '../common/model/save-model';
import type { tfl } from '../common/model/tf';

export const CHECKPOINTS_KEPT = 3;

export interface Normalization {
  mean: number[];
  std: number[];
}

export class JobOutputs {
  constructor(readonly outDir: string) {
    mkdirSync(join(outDir, 'checkpoints'), { recursive: true });
  }

  get reportPath(): string {
    return join(this.outDir, 'report.json');
  }

  get modelDir(): string {
    return join(this.outDir, 'model');
  }

  writeCheckpoint(round: number, weights: Float32Array, manifest: Array<{ name: string; shape: number[] }>, normalization: Normalization | null): string {
    const name = `round-${String(round).padStart(4, '0')}`;
    const directory = join(this.outDir, 'checkpoints', name);
    const staging = `${directory}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'weights.bin'), Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
    writeFileSync(join(staging, 'checkpoint.json'), JSON.stringify({ round, parameters: weights.length, tensors: manifest, normalization, dtype: 'float32', byteOrder: 'little-endian' }, null, 2));
    rmSync(directory, { recursive: true, force: true });
    renameSync(staging, directory);
    const all = readdirSync(join(this.outDir, 'checkpoints')).filter((n) => /^round-\d+$/.test(n)).sort();
    for (const old of all.slice(0, Math.max(0, all.length - CHECKPOINTS_KEPT))) rmSync(join(this.outDir, 'checkpoints', old), { recursive: true, force: true });
    return directory;
  }

  async writeFinalModel(model: InstanceType<typeof tfl.LayersModel>, weights: Float32Array, spec: JobSpec, normalization: Normalization | null): Promise<string> {
    setWeightsVector(model, weights);
    await saveModel(model, this.modelDir, { jobId: spec.jobId, features: spec.dataset.features, label: spec.dataset.label, labelType: spec.dataset.labelType });
    writeFileSync(join(this.modelDir, 'normalization.json'), JSON.stringify({ features: spec.dataset.features, ...(normalization ?? { mean: null, std: null }) }, null, 2));
    return join(this.modelDir, 'model.json');
  }

  writeReport(report: unknown): void {
    writeFileSync(`${this.reportPath}.tmp`, JSON.stringify(report, null, 2));
    renameSync(`${this.reportPath}.tmp`, this.reportPath);
  }
}
