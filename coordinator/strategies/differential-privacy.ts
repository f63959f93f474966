import { addGaussianNoise, distributedNoiseStd, type GaussianSource } from '../../common/privacy';
import type { FitInstructions, Strategy, StrategyState } from './strategy';

export interface DifferentialPrivacyOptions {
  /** central: noise added here to the aggregate; distributed: each participant adds its share before masking. */
  mode: 'central' | 'distributed';
  clipNorm: number;
  noiseMultiplier: number;
  /** Noise source; the default is cryptographically secure. Tests pass a seeded one. */
  noise?: GaussianSource;
}

/**
 * User-level DP-FedAvg (McMahan et al. 2018) as a decorator around any
 * strategy: participants clip their update to clipNorm and weigh 1 each, and
 * Gaussian noise of std noiseMultiplier · clipNorm is added to the sum —
 * by this decorator in central mode, by the participants in distributed mode.
 * The privacy accountant (coordinator/privacy-budget.ts) counts the rounds.
 */
export class DifferentialPrivacy implements Strategy {
  readonly name: string;

  constructor(private readonly inner: Strategy, private readonly options: DifferentialPrivacyOptions) {
    this.name = `${inner.name}+dp-${options.mode}`;
  }

  fitInstructions(round: number, cohortSize: number): FitInstructions {
    const { mode, clipNorm, noiseMultiplier } = this.options;
    const noiseStd = mode === 'distributed' ? distributedNoiseStd({ noiseMultiplier, clipNorm, plannedParticipants: cohortSize }) : 0;
    return { ...this.inner.fitInstructions(round, cohortSize), clipNorm, noiseStd, weighting: 'uniform' };
  }

  serverStep(global: Float32Array, meanUpdate: Float64Array, round: number, contributors: number): Float32Array {
    if (this.options.mode === 'distributed') return this.inner.serverStep(global, meanUpdate, round, contributors);
    // σ = z·C on the sum is z·C/m on the mean of the m contributors.
    const noisy = Float64Array.from(meanUpdate);
    addGaussianNoise(noisy, (this.options.noiseMultiplier * this.options.clipNorm) / contributors, this.options.noise);
    return this.inner.serverStep(global, noisy, round, contributors);
  }

  saveState(): StrategyState {
    return this.inner.saveState();
  }

  loadState(state: StrategyState): void {
    this.inner.loadState(state);
  }
}
