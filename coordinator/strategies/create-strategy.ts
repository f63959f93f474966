import { ShoalError } from '../../common/errors';
import type { StrategySpec } from '../../common/job-spec';
import { FedAdagrad } from './fedadagrad';
import { FedAdam } from './fedadam';
import { FedAvg } from './fedavg';
import { FedAvgM } from './fedavgm';
import { FedProx } from './fedprox';
import { FedSGD } from './fedsgd';
import { FedYogi } from './fedyogi';
import type { Strategy } from './strategy';
import type { TrainingSettings } from './train-instructions';

/** The strategy a compiled job spec names, with its settings. */
export function createStrategy(spec: StrategySpec, training: TrainingSettings): Strategy {
  switch (spec.name) {
    case 'fedavg':
      return new FedAvg(spec, training);
    case 'fedprox':
      return new FedProx(spec, training);
    case 'fedsgd':
      return new FedSGD(spec, training);
    case 'fedavgm':
      return new FedAvgM(spec, training);
    case 'fedadam':
      return new FedAdam(spec, training);
    case 'fedyogi':
      return new FedYogi(spec, training);
    case 'fedadagrad':
      return new FedAdagrad(spec, training);
    default: {
      // A compile error here means a strategy was added to the schema but not here.
      const unhandled: never = spec;
      // Reachable only if a spec bypassed the schema.
      const name = String((unhandled as { name?: unknown }).name);
      throw new ShoalError('STRATEGY_UNKNOWN', `unknown strategy "${name}"`, { component: 'coordinator', details: { name } });
    }
  }
}
