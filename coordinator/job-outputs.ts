/**
 * What the coordinator leaves in the job's output directory at the end:
 * the final model in tfjs format with its normalisation, and the report.
 * Checkpoints are job-checkpoint.ts's.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../common/job-spec';
import { setWeightsVector } from '../common/model/model-weights';
import { saveModel } from '../common/model/save-model';
import type { tfl } from '../common/model/tf';
import type { Normalization } from './job-checkpoint';

export type { Normalization };

export class JobOutputs {
  constructor(readonly outDir: string) {
    mkdirSync(outDir, { recursive: true });
  }

  get reportPath(): string {
    return join(this.outDir, 'report.json');
  }

  get modelDir(): string {
    return join(this.outDir, 'model');
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
