import { evaluatePolicy, policyRules } from './policy-chain';
import { compilePolicy } from './policy-schema';
import { DIGEST, jobSpec, MONDAY_10_UTC, offerContext, OTHER_DIGEST, policy } from './policy-test-fixtures';
import type { OfferContext, Rule, RuleOutcome } from './rule';

type Document = Record<string, unknown>;

interface Case {
  name: string;
  policy?: Document;
  spec?: Document;
  context?: Partial<OfferContext>;
  outcome: RuleOutcome;
  decidingRule: string | null;
  /** Text the deciding rule's reason must contain (the offending value). */
  mentions?: string[];
}

const dp = (epsilon: number, delta?: number): Document => ({ differentialPrivacy: { epsilon, ...(delta === undefined ? {} : { delta }) } });
const requireDp = { privacy: { differentialPrivacy: { maxEpsilon: 10 } } };
const budget = { privacy: { budgets: { 'credit-default': { epsilon: 20 } } } };
const parisWorkingHours = { timeWindows: { timezone: 'Europe/Paris', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }], outside: 'ask' } };
const saturday = { now: new Date('2024-01-20T10:00:00Z') };

const matrix: Case[] = [
  { name: 'every rule allows the example offer under the permissive policy', outcome: 'allow', decidingRule: null },
  { name: 'requester: not named in the policy', spec: { requester: 'stranger' }, outcome: 'deny', decidingRule: 'requester', mentions: ['"stranger"'] },
  { name: 'requester: approval ask', policy: { requesters: { regulator: { approval: 'ask' } } }, outcome: 'ask', decidingRule: 'requester', mentions: ['"regulator"', 'a person must approve'] },
  { name: 'dataset: not granted to the requester', spec: { dataset: { name: 'payroll' } }, context: { localDatasets: ['credit-default', 'payroll'] }, outcome: 'deny', decidingRule: 'dataset', mentions: ['"payroll"'] },
  { name: 'dataset: columns outside the grant', policy: { requesters: { regulator: { datasets: { 'credit-default': { columns: ['X1..X20', 'Y'] } } } } }, outcome: 'deny', decidingRule: 'dataset', mentions: ['"X21", "X22", "X23"'] },
  { name: 'dataset: many columns outside the grant, the first few named', policy: { requesters: { regulator: { datasets: { 'credit-default': { columns: ['Y'] } } } } }, outcome: 'deny', decidingRule: 'dataset', mentions: ['"X1", "X2", "X3", "X4", "X5" and 18 more'] },
  { name: 'dataset: not configured at this organisation', context: { localDatasets: ['other'] }, outcome: 'deny', decidingRule: 'dataset', mentions: ['"credit-default" is not configured'] },
  { name: 'model: a layer class not allowed', policy: { models: { allowedLayers: ['Dropout'] } }, outcome: 'deny', decidingRule: 'model', mentions: ['"Dense"'] },
  { name: 'model: too many parameters', context: { modelParameters: 20000 }, outcome: 'deny', decidingRule: 'model', mentions: ['20000', '10000'] },
  { name: 'model: too many rounds', spec: { training: { rounds: 60 } }, outcome: 'deny', decidingRule: 'model', mentions: ['training.rounds 60', 'maxRounds 50'] },
  { name: 'model: too many local epochs', spec: { training: { localEpochs: 6 } }, outcome: 'deny', decidingRule: 'model', mentions: ['localEpochs 6', 'maxLocalEpochs 5'] },
  { name: 'image: an allowlisted training image', spec: { trainingImage: { reference: 'regulator/trainer:1', digest: DIGEST } }, outcome: 'allow', decidingRule: null },
  { name: 'image: a training image not allowlisted', spec: { trainingImage: { reference: 'regulator/trainer:2', digest: OTHER_DIGEST } }, outcome: 'deny', decidingRule: 'image', mentions: [OTHER_DIGEST] },
  { name: 'privacy: secure aggregation turned off', spec: { secureAggregation: { enabled: false } }, outcome: 'deny', decidingRule: 'privacy', mentions: ['secure aggregation'] },
  { name: 'privacy: rounds of too few organisations', spec: { fractionPerRound: 0.5 }, outcome: 'deny', decidingRule: 'privacy', mentions: ['only 2 organisation(s)', 'fractionPerRound 0.5', 'minParticipantsPerRound 3'] },
  { name: 'privacy: every invited peer pinned', policy: { privacy: { peers: ['bank-2', 'bank-3', 'bank-4', 'bank-5'] } }, outcome: 'allow', decidingRule: null },
  { name: 'privacy: an invited organisation not among the pinned peers', policy: { privacy: { peers: ['bank-2', 'bank-3'] } }, outcome: 'deny', decidingRule: 'privacy', mentions: ['bank-4, bank-5', 'privacy.peers'] },
  { name: 'privacy: DP required and absent', policy: requireDp, outcome: 'deny', decidingRule: 'privacy', mentions: ['requires differential privacy'] },
  { name: 'privacy: DP within the bounds', policy: requireDp, spec: dp(10), outcome: 'allow', decidingRule: null },
  { name: 'privacy: ε above the bound', policy: requireDp, spec: dp(12), outcome: 'deny', decidingRule: 'privacy', mentions: ['epsilon 12', 'maxEpsilon 10'] },
  { name: 'privacy: δ above the bound', policy: requireDp, spec: dp(5, 0.001), outcome: 'deny', decidingRule: 'privacy', mentions: ['delta 0.001', 'maxDelta 0.00001'] },
  { name: 'privacy: budget exactly used up', policy: budget, spec: dp(8), context: { epsilonSpent: () => 12 }, outcome: 'allow', decidingRule: null },
  { name: 'privacy: budget exceeded', policy: budget, spec: dp(8), context: { epsilonSpent: (d) => (d === 'credit-default' ? 15 : 0) }, outcome: 'deny', decidingRule: 'privacy', mentions: ['ε 8 for this job', 'ε 15 already spent', 'budget of ε 20'] },
  { name: 'privacy: a budgeted dataset and a job without DP', policy: budget, outcome: 'deny', decidingRule: 'privacy', mentions: ['unbounded'] },
  { name: 'resources: within the bounds', spec: { resources: { memoryMiB: 4096, cpus: 2, pids: 512 } }, outcome: 'allow', decidingRule: null },
  { name: 'resources: too much memory', spec: { resources: { memoryMiB: 8192 } }, outcome: 'deny', decidingRule: 'resources', mentions: ['memoryMiB 8192', 'maxMemoryMiB 4096'] },
  { name: 'resources: too many cpus', spec: { resources: { cpus: 4 } }, outcome: 'deny', decidingRule: 'resources', mentions: ['cpus 4', 'maxCpus 2'] },
  { name: 'resources: too many pids', spec: { resources: { pids: 1024 } }, outcome: 'deny', decidingRule: 'resources', mentions: ['pids 1024'] },
  { name: 'resources: too long a round deadline', spec: { roundDeadlineSeconds: 7200 }, outcome: 'deny', decidingRule: 'resources', mentions: ['roundDeadlineSeconds 7200', '3600'] },
  { name: 'time-window: inside working hours', policy: parisWorkingHours, outcome: 'allow', decidingRule: null },
  { name: 'time-window: outside, ask', policy: parisWorkingHours, context: saturday, outcome: 'ask', decidingRule: 'time-window', mentions: ['sat 11:00 (Europe/Paris)'] },
  { name: 'time-window: outside, deny', policy: { timeWindows: { ...parisWorkingHours.timeWindows, outside: 'deny' } }, context: saturday, outcome: 'deny', decidingRule: 'time-window', mentions: ['sat 11:00'] },
];

describe('the policy matrix: each rule decides on the one setting that differs', () => {
  test.each(matrix)('$name', async (c) => {
    const context = offerContext({ ...(c.spec ? { spec: jobSpec(c.spec) } : {}), ...c.context });

    const decision = await evaluatePolicy(policyRules(policy(c.policy)), context);

    expect(decision.outcome).toBe(c.outcome);
    expect(decision.decidingRule).toBe(c.decidingRule);
    const decider = decision.reasons.find((v) => v.rule === c.decidingRule);
    for (const text of c.mentions ?? []) expect(decider?.reason).toContain(text);
  });
});

describe('the chain', () => {
  const names = ['requester', 'dataset', 'model', 'image', 'privacy', 'resources', 'time-window', 'hook'];

  test('lets the first deny decide and keeps every verdict in order', async () => {
    const context = offerContext({ spec: jobSpec({ requester: 'stranger' }), modelParameters: 20000 });

    const decision = await evaluatePolicy(policyRules(policy()), context);

    expect(decision.decidingRule).toBe('requester');
    expect(decision.reasons.map((v) => v.rule)).toEqual(names);
    expect(decision.reasons.map((v) => v.outcome)).toEqual(['deny', 'deny', 'deny', 'allow', 'allow', 'allow', 'allow', 'allow']);
  });

  test('asks, naming the first rule that asked, when no rule denied', async () => {
    const asking = policy({ requesters: { regulator: { approval: 'ask' } }, timeWindows: { timezone: 'UTC', windows: [{ from: '00:00', to: '01:00' }], outside: 'ask' } });

    const decision = await evaluatePolicy(policyRules(asking), offerContext());

    expect(decision).toMatchObject({ outcome: 'ask', decidingRule: 'requester' });
    expect(decision.reasons.filter((v) => v.outcome === 'ask').map((v) => v.rule)).toEqual(['requester', 'time-window']);
  });

  test('denies when a later rule denies after an earlier one asked', async () => {
    const decision = await evaluatePolicy(policyRules(policy({ requesters: { regulator: { approval: 'ask' } } })), offerContext({ modelParameters: 20000 }));

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'model' });
  });

  test('denies a valid offer under an empty policy (default deny)', async () => {
    const decision = await evaluatePolicy(policyRules(compilePolicy({})), offerContext());

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'requester' });
    expect(decision.reasons.find((v) => v.rule === 'model')?.outcome).toBe('deny');
  });

  test('does not consult a costly rule once a rule denied, and records no verdict for it', async () => {
    const costly: Rule = { name: 'costly', costly: true, evaluate: jest.fn(() => ({ rule: 'costly', outcome: 'allow' as const, reason: 'ok' })) };
    const denying: Rule = { name: 'denying', evaluate: () => ({ rule: 'denying', outcome: 'deny', reason: 'no' }) };

    const decision = await evaluatePolicy([denying, costly], offerContext());

    expect(costly.evaluate).not.toHaveBeenCalled();
    expect(decision).toEqual({ outcome: 'deny', decidingRule: 'denying', reasons: [{ rule: 'denying', outcome: 'deny', reason: 'no' }] });
  });

  test('consults a costly rule after an ask', async () => {
    const costly: Rule = { name: 'costly', costly: true, evaluate: async () => ({ rule: 'costly', outcome: 'allow', reason: 'ok' }) };
    const asking: Rule = { name: 'asking', evaluate: () => ({ rule: 'asking', outcome: 'ask', reason: 'maybe' }) };

    const decision = await evaluatePolicy([asking, costly], offerContext());

    expect(decision.reasons.map((v) => v.rule)).toEqual(['asking', 'costly']);
    expect(decision.outcome).toBe('ask');
  });

  test('turns a rule that throws, or answers nonsense, into a deny with the reason', async () => {
    const throwing: Rule = { name: 'throwing', evaluate: () => { throw new Error('ledger unavailable'); } };
    const rejecting: Rule = { name: 'rejecting', evaluate: () => Promise.reject(new Error('boom')) };
    const nonsense: Rule = { name: 'nonsense', evaluate: () => ({ rule: 'nonsense', outcome: 'maybe' as RuleOutcome, reason: '' }) };

    const decision = await evaluatePolicy([throwing, rejecting, nonsense], offerContext());

    expect(decision.outcome).toBe('deny');
    expect(decision.decidingRule).toBe('throwing');
    expect(decision.reasons).toEqual([
      { rule: 'throwing', outcome: 'deny', reason: 'the rule failed: ledger unavailable' },
      { rule: 'rejecting', outcome: 'deny', reason: 'the rule failed: boom' },
      { rule: 'nonsense', outcome: 'deny', reason: 'the rule gave no valid verdict (maybe)' },
    ]);
  });

  test('denies the budget when the privacy ledger fails', async () => {
    const ledgerDown = offerContext({ spec: jobSpec({ differentialPrivacy: { epsilon: 1 } }), epsilonSpent: () => { throw new Error('ledger file unreadable'); } });

    const decision = await evaluatePolicy(policyRules(policy({ privacy: { budgets: { 'credit-default': { epsilon: 20 } } } })), ledgerDown);

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'privacy' });
    expect(decision.reasons[4].reason).toBe('the rule failed: ledger file unreadable');
  });

  test('denies when there are no rules at all', async () => {
    expect(await evaluatePolicy([], offerContext({ now: MONDAY_10_UTC }))).toEqual({ outcome: 'deny', decidingRule: null, reasons: [] });
  });
});
