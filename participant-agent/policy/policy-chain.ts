/**
 * The moderation chain: every rule looks at the offer in turn and every
 * verdict is kept for the audit record. The first deny decides; otherwise
 * an ask sends the offer to a person; only an offer every rule allowed is
 * accepted unattended. A rule that fails denies, so an offer no rule could
 * judge is never accepted and a broken rule never takes the agent down.
 */
import { errorMessage } from '../../common/errors';
import type { ModerationPolicy } from './policy-schema';
import type { OfferContext, Rule, RuleOutcome, RuleVerdict } from './rule';
import { datasetRule } from './rules/dataset-rule';
import { hookRule } from './rules/hook-rule';
import { imageRule } from './rules/image-rule';
import { modelRule } from './rules/model-rule';
import { privacyRule } from './rules/privacy-rule';
import { requesterRule } from './rules/requester-rule';
import { resourceRule } from './rules/resource-rule';
import { timeWindowRule } from './rules/time-window-rule';

export interface PolicyDecision {
  outcome: RuleOutcome;
  /** The first denying rule; for ask, the first asking rule; null when every rule allowed. */
  decidingRule: string | null;
  /** Every consulted rule's verdict, in chain order. */
  reasons: RuleVerdict[];
}

/** The organisation's rules, cheapest and most decisive first; the hook last, since it may run a program. */
export function policyRules(policy: ModerationPolicy): Rule[] {
  return [
    requesterRule(policy),
    datasetRule(policy),
    modelRule(policy),
    imageRule(policy),
    privacyRule(policy),
    resourceRule(policy),
    timeWindowRule(policy),
    hookRule(policy),
  ];
}

const OUTCOMES: readonly RuleOutcome[] = ['allow', 'deny', 'ask'];

async function consult(rule: Rule, context: OfferContext): Promise<RuleVerdict> {
  try {
    const verdict = await rule.evaluate(context);
    // Anything but a well-formed allow or ask counts as a deny: the rule did not vouch for the offer.
    if (!OUTCOMES.includes(verdict?.outcome)) return { rule: rule.name, outcome: 'deny', reason: `the rule gave no valid verdict (${String(verdict?.outcome)})` };
    return verdict;
  } catch (err) {
    return { rule: rule.name, outcome: 'deny', reason: `the rule failed: ${errorMessage(err)}` };
  }
}

export async function evaluatePolicy(rules: Rule[], context: OfferContext): Promise<PolicyDecision> {
  const reasons: RuleVerdict[] = [];
  for (const rule of rules) {
    // A costly rule cannot turn a deny into anything else, so it is not consulted (and leaves no verdict).
    if (rule.costly && reasons.some((v) => v.outcome === 'deny')) continue;
    reasons.push(await consult(rule, context));
  }
  const decider = reasons.find((v) => v.outcome === 'deny') ?? reasons.find((v) => v.outcome === 'ask');
  if (decider) return { outcome: decider.outcome, decidingRule: decider.rule, reasons };
  // No rules at all is not an approval.
  if (reasons.length === 0) return { outcome: 'deny', decidingRule: null, reasons };
  return { outcome: 'allow', decidingRule: null, reasons };
}
