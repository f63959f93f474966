/**
 * One moderation rule: a small check of an offer against the organisation's
 * policy that answers allow, deny or ask, always with a reason a person can
 * read. Rules are chained by policy-chain.ts, where the first deny wins.
 */
import type { JobSpec } from '../../common/job-spec';

export type RuleOutcome = 'allow' | 'deny' | 'ask';

export interface RuleVerdict {
  rule: string;
  outcome: RuleOutcome;
  reason: string;
}

/** What a rule may look at; everything in it is already validated or computed by the caller. */
export interface OfferContext {
  spec: JobSpec;
  orgId: string;
  now: Date;
  /** Dataset names configured at this organisation. */
  localDatasets: string[];
  /** Trainable and non-trainable parameters of spec.model. */
  modelParameters: number;
  /** The privacy ledger: ε already spent on this local dataset by earlier jobs. */
  epsilonSpent(dataset: string): number;
}

export interface Rule {
  readonly name: string;
  /**
   * true for rules that cost something to consult (an external hook runs a
   * program or sends a request); the chain skips them once another rule denied.
   */
  readonly costly?: boolean;
  evaluate(context: OfferContext): RuleVerdict | Promise<RuleVerdict>;
}

/** A rule's verdict: allow when no problem was found, else `failure` with every problem in the reason. */
export function verdictFrom(rule: string, problems: string[], allowReason: string, failure: RuleOutcome = 'deny'): RuleVerdict {
  return problems.length === 0 ? { rule, outcome: 'allow', reason: allowReason } : { rule, outcome: failure, reason: problems.join('; ') };
}

/** The first few names of a list, so a reason stays one readable line. */
export function firstFew(names: readonly string[], few = 5): string {
  const shown = names.slice(0, few).map((n) => `"${n}"`).join(', ');
  return names.length > few ? `${shown} and ${names.length - few} more` : shown;
}
