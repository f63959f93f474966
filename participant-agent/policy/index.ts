/** The moderation policy: its file, its rules and the chain that decides on an offer. */
export {
  compilePolicy,
  loadPolicy,
  type HookSettings,
  type ModerationPolicy,
  type OutputPolicy,
  type TimeWindowPolicy,
  type Weekday,
} from './policy-schema';
export type { OfferContext, Rule, RuleOutcome, RuleVerdict } from './rule';
export { evaluatePolicy, policyRules, type PolicyDecision } from './policy-chain';
export { HookError } from './errors';
