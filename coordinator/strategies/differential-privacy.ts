import { addGaussianNoise, type GaussianSource } from '../../common/privacy';
import type { FitInstructions, Strategy, StrategyState } from './strategy';

/** central: Gaussian noise added here to the aggregate; distributed: each participant adds its Skellam share before masking. */
export type DifferentialPrivacyOptions =
  | {
      mode: 'central';
      clipNorm: number;
      noiseMultiplier: number;
      /** Noise source; the default is cryptographically secure. Tests pass a seeded one. */
      noise?: GaussianSource;
    }
  | {
      mode: 'distributed';
      clipNorm: number;
      /**
       * The std each member of a cohort of this size adds: the job's noise plan
       * (common/round-plan), which every participant recomputes and holds the
       * coordinator to.
       */
      noiseStd(cohortSize: number): number;
    };

/**
 * User-level DP-FedAvg (McMahan et al. 2018) as a decorator around any
 * strategy: participants clip their update to clipNorm and weigh 1 each. In
 * central mode this decorator adds Gaussian noise of std
 * noiseMultiplier · clipNorm to the sum. In distributed mode each
 * participant runs the Skellam mechanism on its own update before masking
 * (integer noise; the secure sum arrives here already noised and decoded),
 * and noiseStd only tells the participants the std it expects of each,
 * which they check against their own derivation.
 * The privacy accountant (coordinator/privacy-budget.ts) counts the rounds.
 */
export class DifferentialPrivacy implements Strategy {
  readonly name: string;

  constructor(private readonly inner: Strategy, private readonly options: DifferentialPrivacyOptions) {
    this.name = `${inner.name}+dp-${options.mode}`;
  }

  fitInstructions(round: number, cohortSize: number): FitInstructions {
    const { options } = this;
    const noiseStd = options.mode === 'distributed' ? options.noiseStd(cohortSize) : 0;
    return { ...this.inner.fitInstructions(round, cohortSize), clipNorm: options.clipNorm, noiseStd, weighting: 'uniform' };
  }

  serverStep(global: Float32Array, meanUpdate: Float64Array, round: number, contributors: number): Float32Array {
    const { options } = this;
    if (options.mode === 'distributed') return this.inner.serverStep(global, meanUpdate, round, contributors);
    // σ = z·C on the sum is z·C/m on the mean of the m contributors.
    const noisy = Float64Array.from(meanUpdate);
    addGaussianNoise(noisy, (options.noiseMultiplier * options.clipNorm) / contributors, options.noise);
    return this.inner.serverStep(global, noisy, round, contributors);
  }

  saveState(): StrategyState {
    return this.inner.saveState();
  }

  loadState(state: StrategyState): void {
    this.inner.loadState(state);
  }
}
