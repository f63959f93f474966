import type { JobSpec } from '../../common/job-spec';
import type { FitInstructions } from './strategy';

/** The job spec's compiled `training` section: every field already has its default. */
export type TrainingSettings = JobSpec['training'];

/**
 * The instructions of every strategy whose participants train locally and
 * send w_local − w_global: the job spec's settings, passed through unchanged,
 * with no proximal term.
 */
export function trainInstructions(training: TrainingSettings): FitInstructions {
  return {
    mode: 'train',
    localEpochs: training.localEpochs,
    batchSize: training.batchSize,
    learningRate: training.learningRate,
    optimizer: training.optimizer,
    proximalMu: 0,
    clipNorm: 0,
    noiseStd: 0,
    weighting: 'examples',
  };
}
