import type { ModerationPolicy } from '../policy-schema';
import { firstFew, verdictFrom, type Rule } from '../rule';

/** The model's building blocks, its size and how long it trains stay within the policy's bounds. */
export function modelRule(policy: ModerationPolicy): Rule {
  const limits = policy.models;
  const allowedLayers = new Set<string>(limits.allowedLayers);
  return {
    name: 'model',
    evaluate({ spec, modelParameters }) {
      const problems: string[] = [];
      const refused = [...new Set(spec.model.layers.map((layer) => layer.className))].filter((c) => !allowedLayers.has(c));
      if (refused.length > 0) problems.push(`layer class(es) ${firstFew(refused)} are not in models.allowedLayers`);
      if (modelParameters > limits.maxParameters) problems.push(`the model has ${modelParameters} parameters, above models.maxParameters ${limits.maxParameters}`);
      if (spec.training.rounds > limits.maxRounds) problems.push(`training.rounds ${spec.training.rounds} is above models.maxRounds ${limits.maxRounds}`);
      if (spec.training.localEpochs > limits.maxLocalEpochs) problems.push(`training.localEpochs ${spec.training.localEpochs} is above models.maxLocalEpochs ${limits.maxLocalEpochs}`);
      return verdictFrom('model', problems, `the model (${spec.model.layers.length} layers, ${modelParameters} parameters, ${spec.training.rounds} rounds) is within the policy`);
    },
  };
}
