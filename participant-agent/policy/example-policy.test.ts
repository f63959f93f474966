/**
 * The policy shipped in examples/agent/ denies everything it does not name:
 * each case changes one thing about the credit-default example offer and
 * expects the rule that names it to deny. The example offer itself waits for
 * a person (approval: ask).
 */
import { join } from 'node:path';
import { evaluatePolicy, loadPolicy, policyRules } from '.';
import { jobSpec, offerContext, DIGEST } from './policy-test-fixtures';

const example = loadPolicy(join(__dirname, '..', '..', 'examples', 'agent', 'policy.yaml'));
/** A Tuesday, 10:00 in Paris: inside the example's office hours. */
const TUESDAY_MORNING = new Date('2026-11-17T09:00:00Z');

async function decide(patch: Record<string, unknown>, now = TUESDAY_MORNING): Promise<{ outcome: string; decidingRule: string | null }> {
  const decision = await evaluatePolicy(policyRules(example), offerContext({ spec: jobSpec(patch), now }));
  return { outcome: decision.outcome, decidingRule: decision.decidingRule };
}

describe('the example policy', () => {
  it('asks a person about the example job from the regulator', async () => {
    expect(await decide({})).toEqual({ outcome: 'ask', decidingRule: 'requester' });
  });

  it.each([
    ['another requester', { requester: 'central-bank' }, 'requester'],
    ['another dataset', { dataset: { name: 'mortgages' } }, 'dataset'],
    ['a column not named', { dataset: { features: ['X1..X23', 'SSN'] } }, 'dataset'],
    ['a layer type not named', { model: { layers: [{ className: 'Dense', config: { units: 8, inputShape: [23] } }, { className: 'BatchNormalization', config: {} }, { className: 'Dense', config: { units: 1, activation: 'sigmoid' } }] } }, 'model'],
    ['more rounds than allowed', { training: { rounds: 500 } }, 'model'],
    ['a custom training image', { trainingImage: { reference: 'regulator/trainer:1', digest: DIGEST } }, 'image'],
    ['secure aggregation off', { secureAggregation: { enabled: false } }, 'privacy'],
    ['rounds of two organisations', { minParticipants: 2 }, 'privacy'],
    ['more memory than allowed', { resources: { memoryMiB: 65536 } }, 'resources'],
  ])('denies %s', async (_what, patch, rule) => {
    expect(await decide(patch)).toEqual({ outcome: 'deny', decidingRule: rule });
  });

  it('asks a person outside office hours (Sunday)', async () => {
    const decision = await evaluatePolicy(policyRules(example), offerContext({ spec: jobSpec({}), now: new Date('2026-11-22T10:00:00Z') }));
    expect(decision.reasons.find((r) => r.rule === 'time-window')?.outcome).toBe('ask');
  });

  it('keeps decline reasons to the organisation', () => {
    expect(example.shareDecisionReasons).toBe(false);
  });
});
