/**
 * What the organisation agreed to when it accepted a job, derived by the
 * agent from the signed spec and its own policy, never from the coordinator:
 * the fit settings of every round, the vector each kind of task carries and
 * the secure-aggregation roster the organisation will mask with.
 *
 * The fit settings are what the coordinator's strategies produce
 * (coordinator/strategies): the spec's training section as written, one
 * epoch of gradient for FedSGD, FedProx's proximal term, and under
 * differential privacy the spec's clip norm, uniform weights and, in
 * distributed mode, the noise of common/round-plan for the roster's size:
 * the Skellam mechanism's granularity, sensitivity and variance that this
 * organisation applies itself (job-session `privatized`).
 */
import { evaluationVectorLength } from '../../common/evaluation-metrics';
import type { JobSpec } from '../../common/job-spec';
import type { SkellamParameters } from '../../common/privacy';
import { distributedNoiseOf } from '../../common/round-plan';
import { countParameters } from '../output-check';

/** The part of the organisation's policy that decides whom it masks with. */
export interface RosterPolicy {
  /** Fewest organisations a round may combine. */
  minParticipantsPerRound: number;
  /** Present: the only peer organisations this one aggregates with. Absent: any the signed offer invites. */
  peers?: string[];
}

export interface ApprovedJob {
  spec: JobSpec;
  /** This organisation. */
  orgId: string;
  /** The smallest roster it masks with: its policy's floor or the job's minimum, whichever is higher. */
  rosterFloor: number;
  /** The organisations it aggregates with; undefined: every invited one. */
  pinnedPeers: ReadonlySet<string> | undefined;
  /** Elements of the vector each kind of task sends and, for fit and evaluate, of the model it receives. */
  elements: { fit: number; evaluate: number; statistics: number };
}

export interface ApprovedFit {
  mode: 'train' | 'gradient';
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: JobSpec['training']['optimizer'];
  proximalMu: number;
  clipNorm: number;
  noiseStd: number;
  weighting: 'examples' | 'uniform';
  /** Distributed DP only: the Skellam mechanism this organisation runs on its update (noiseStd is its member std). */
  skellam?: SkellamParameters;
}

/** Derives once per job what every task of it may ask. */
export function approveJob(spec: JobSpec, orgId: string, policy: RosterPolicy): ApprovedJob {
  return {
    spec,
    orgId,
    rosterFloor: Math.max(policy.minParticipantsPerRound, spec.minParticipants),
    pinnedPeers: policy.peers ? new Set(policy.peers) : undefined,
    elements: {
      fit: countParameters(spec.model),
      evaluate: evaluationVectorLength(spec.dataset.labelType),
      statistics: 1 + 2 * spec.dataset.features.length,
    },
  };
}

/** The fit settings of a round over a roster of `rosterSize` (which only distributed noise depends on). */
export function approvedFit(spec: JobSpec, rosterSize: number): ApprovedFit {
  const { training, strategy } = spec;
  const fit: ApprovedFit = {
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
  // FedSGD's participants compute one pass of gradient, whatever the spec's epochs say.
  if (strategy.name === 'fedsgd') Object.assign(fit, { mode: 'gradient', localEpochs: 1 });
  if (strategy.name === 'fedprox') fit.proximalMu = strategy.proximalMu;
  const dp = spec.differentialPrivacy;
  if (dp) {
    fit.clipNorm = dp.clipNorm;
    fit.weighting = 'uniform';
    const noise = distributedNoiseOf(spec, rosterSize);
    if (noise) Object.assign(fit, { noiseStd: noise.noiseStd, skellam: noise.skellam });
  }
  return fit;
}
