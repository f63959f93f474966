import type { JobSpec } from '../../common/job-spec';
import { distributedNoiseOf, fewestSurvivorsOf } from '../../common/round-plan';
import type { TaskHeader__Output } from '../../proto/generated/shoal/v1/TaskHeader';
import { approveJob, approvedFit, checkTask, MAX_DELIVERIES_PER_ROUND, TaskCounter, type RosterPolicy } from '.';
import { honestTasks, jobSpec, type HonestTask } from './task-check-test-fixtures';

const POLICY: RosterPolicy = { minParticipantsPerRound: 3 };

/** A copy of the header with `change` applied to it; the original stays as the coordinator sent it. */
function changed(header: TaskHeader__Output, change: (copy: TaskHeader__Output) => void): TaskHeader__Output {
  const copy = structuredClone(header);
  change(copy);
  return copy;
}

function firstTask(tasks: HonestTask[], kind: HonestTask['kind'], orgId = 'bank-1'): HonestTask {
  const task = tasks.find((t) => t.kind === kind && t.orgId === orgId);
  if (!task) throw new Error(`no ${kind} task for ${orgId}`);
  return task;
}

/** The refusal of one task delivered alone, with a fresh counter. */
function refusalOf(spec: JobSpec, task: HonestTask, header: TaskHeader__Output = task.header, policy: RosterPolicy = POLICY) {
  return checkTask(approveJob(spec, task.orgId, policy), task.kind, header, new TaskCounter(), Date.now());
}

/** Every bank contributes to every round. */
const NO_DROPS = (): string[] => [];

describe('checkTask: what an honest coordinator sends passes', () => {
  const specs: Array<[string, JobSpec, (round: number) => string[]]> = [
    ['fedavg', jobSpec(), NO_DROPS],
    ['fedprox', jobSpec({ strategy: { name: 'fedprox', proximalMu: 0.01 } }), NO_DROPS],
    ['fedsgd', jobSpec({ strategy: { name: 'fedsgd' } }), NO_DROPS],
    ['fedadam', jobSpec({ strategy: { name: 'fedadam' } }), NO_DROPS],
    ['fedavgm', jobSpec({ strategy: { name: 'fedavgm' } }), NO_DROPS],
    ['DP central', jobSpec({ differentialPrivacy: { epsilon: 8, clipNorm: 0.5 } }), NO_DROPS],
    ['DP distributed', jobSpec({ differentialPrivacy: { mode: 'distributed', epsilon: 8 } }), NO_DROPS],
    ['DP distributed with a given noise multiplier', jobSpec({ differentialPrivacy: { mode: 'distributed', epsilon: 8, noiseMultiplier: 1.3 } }), NO_DROPS],
    ['DP distributed, fractionPerRound 0.6', jobSpec({ fractionPerRound: 0.6, differentialPrivacy: { mode: 'distributed', epsilon: 8 } }), NO_DROPS],
    ['fedprox, fractionPerRound 0.6, SecAgg+ threshold 3', jobSpec({ fractionPerRound: 0.6, strategy: { name: 'fedprox', proximalMu: 0.1 }, secureAggregation: { threshold: 3 } }), NO_DROPS],
    ['DP distributed, the roster shrinking as banks drop out', jobSpec({ differentialPrivacy: { mode: 'distributed', epsilon: 8 } }), (round) => (round === 1 ? ['bank-5'] : round === 2 ? ['bank-4'] : [])],
    ['plain aggregation, no preprocessing', jobSpec({ secureAggregation: { enabled: false }, preprocessing: { normalize: false } }), NO_DROPS],
  ];

  test.each(specs)('%s', async (_name, spec, drops) => {
    const tasks = await honestTasks(spec, drops);

    for (const orgId of spec.invitedOrgs) {
      const job = approveJob(spec, orgId, POLICY);
      const counter = new TaskCounter();
      for (const task of tasks.filter((t) => t.orgId === orgId)) {
        expect({ kind: task.kind, round: task.header.round, refusal: checkTask(job, task.kind, task.header, counter, Date.now()) }).toEqual({ kind: task.kind, round: task.header.round, refusal: null });
        // The agent's own noise is bit for bit what the coordinator asked for.
        if (task.kind === 'fit') expect(task.header.fit?.noiseStd).toBe(approvedFit(spec, Object.keys(task.header.secure?.identityKeys ?? {}).length).noiseStd);
      }
    }
    const fits = tasks.filter((t) => t.kind === 'fit');
    expect(new Set(fits.map((t) => t.header.round))).toEqual(new Set([1, 2, 3]));
    expect(tasks.some((t) => t.kind === 'statistics')).toBe(spec.preprocessing.normalize);
    if (spec.differentialPrivacy?.mode === 'distributed') expect(fits.every((t) => (t.header.fit?.noiseStd ?? 0) > 0)).toBe(true);
  });

  test('the shrinking roster gets more noise per member, so its fewest survivors still carry the calibrated noise', async () => {
    const spec = jobSpec({ differentialPrivacy: { mode: 'distributed', epsilon: 8 } });
    const tasks = await honestTasks(spec, (round) => (round === 1 ? ['bank-5'] : round === 2 ? ['bank-4'] : []));

    const perRound = [1, 2, 3].map((round) => {
      const fit = firstTask(tasks.filter((t) => t.header.round === round), 'fit');
      const roster = Object.keys(fit.header.secure?.identityKeys ?? {}).length;
      return { roster, survivorsNoise: (fit.header.fit?.noiseStd ?? 0) * Math.sqrt(fewestSurvivorsOf(spec, roster)) };
    });
    expect(perRound.map((r) => r.roster)).toEqual([5, 4, 3]);
    expect(perRound[1].survivorsNoise).toBeCloseTo(perRound[0].survivorsNoise, 12);
    expect(perRound[2].survivorsNoise).toBeCloseTo(perRound[0].survivorsNoise, 12);
  });
});

describe('checkTask: a task that differs from the accepted job is refused, naming the field', () => {
  const spec = jobSpec();
  const dpSpec = jobSpec({ differentialPrivacy: { epsilon: 8, clipNorm: 0.5 } });
  const distributedSpec = jobSpec({ differentialPrivacy: { mode: 'distributed', epsilon: 8 } });
  let tasks: HonestTask[];
  let dpTasks: HonestTask[];
  let distributedTasks: HonestTask[];
  beforeAll(async () => {
    [tasks, dpTasks, distributedTasks] = await Promise.all([honestTasks(spec), honestTasks(dpSpec), honestTasks(distributedSpec)]);
  });

  test.each([
    ['mode', 'gradient'],
    ['localEpochs', 5],
    ['batchSize', 32],
    ['learningRate', 0.01],
    ['optimizer', 'sgd'],
    ['proximalMu', 0.1],
    ['weighting', 'uniform'],
    ['clipNorm', 1],
    ['noiseStd', 0.5],
  ])('fit setting %s changed to %p: TASK_NOT_APPROVED', (field, value) => {
    const fit = firstTask(tasks, 'fit');
    const header = changed(fit.header, (h) => Object.assign(h.fit as object, { [field]: value }));

    expect(refusalOf(spec, fit, header)).toMatchObject({ code: 'TASK_NOT_APPROVED', field });
  });

  test('the message says what was accepted and what was asked', () => {
    const fit = firstTask(tasks, 'fit');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => Object.assign(h.fit as object, { localEpochs: 50 })))).toEqual({
      code: 'TASK_NOT_APPROVED',
      field: 'localEpochs',
      message: 'the job was accepted with localEpochs 2, but this task asks for 50',
    });
  });

  test('under differential privacy, a clip norm that is looser, tighter or absent is refused', () => {
    const fit = firstTask(dpTasks, 'fit');

    for (const clipNorm of [0, 0.25, 1]) {
      expect(refusalOf(dpSpec, fit, changed(fit.header, (h) => Object.assign(h.fit as object, { clipNorm })))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'clipNorm' });
    }
    expect(refusalOf(dpSpec, fit, changed(fit.header, (h) => Object.assign(h.fit as object, { weighting: 'examples' })))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'weighting' });
    // Central DP: the coordinator adds the noise, so a participant asked to add some is not running the accepted job either.
    expect(refusalOf(dpSpec, fit, changed(fit.header, (h) => Object.assign(h.fit as object, { noiseStd: 0.1 })))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'noiseStd' });
  });

  test('distributed DP: zero noise, half the noise or a hair less than the agent computes is refused', () => {
    const fit = firstTask(distributedTasks, 'fit');
    const own = distributedNoiseOf(distributedSpec, 5)?.noiseStd ?? 0;
    expect(fit.header.fit?.noiseStd).toBe(own);

    for (const noiseStd of [0, own / 2, own * (1 - 1e-6)]) {
      expect(refusalOf(distributedSpec, fit, changed(fit.header, (h) => Object.assign(h.fit as object, { noiseStd })))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'noiseStd' });
    }
    // Rounding differences far below any effect on privacy pass.
    expect(refusalOf(distributedSpec, fit, changed(fit.header, (h) => Object.assign(h.fit as object, { noiseStd: own * (1 + 1e-12) })))).toBeNull();
  });

  test('rounds outside 1..rounds, statistics after round 0 or for a job without preprocessing', () => {
    const fit = firstTask(tasks, 'fit');
    const evaluate = firstTask(tasks, 'evaluate');
    const statistics = firstTask(tasks, 'statistics');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.round = 4)))).toEqual({ code: 'TASK_NOT_APPROVED', field: 'round', message: 'the job was accepted for rounds 1 to 3, but this fit task is for round 4' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.round = 0)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'round' });
    expect(refusalOf(spec, evaluate, changed(evaluate.header, (h) => (h.round = 4)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'round' });
    expect(refusalOf(spec, statistics, changed(statistics.header, (h) => (h.round = 1)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'round' });
    expect(refusalOf(jobSpec({ preprocessing: { normalize: false } }), statistics)).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'kind' });
  });

  test('a deadline further away than the job\'s round deadline allows', () => {
    const fit = firstTask(tasks, 'fit');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.deadlineUnixMs = Date.now() + 120_000 + 65_000)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'deadlineUnixMs' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.deadlineUnixMs = Number.POSITIVE_INFINITY)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'deadlineUnixMs' });
  });

  test('normalisation that is missing, of the wrong length, not finite, or not asked for', () => {
    const fit = firstTask(tasks, 'fit');
    const statistics = firstTask(tasks, 'statistics');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.normalization = null)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'normalization' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => h.normalization?.mean.pop()))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'normalization.mean' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => h.normalization?.std.push(1)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'normalization.std' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => h.normalization && (h.normalization.mean[3] = Number.NaN)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'normalization.mean' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => h.normalization && (h.normalization.std[0] = 0)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'normalization.std' });
    expect(refusalOf(spec, statistics, changed(statistics.header, (h) => (h.normalization = { mean: [0], std: [1] })))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'normalization' });
  });

  test('a model of another size or dtype, none where one is needed, or one where none is', () => {
    const fit = firstTask(tasks, 'fit');
    const evaluate = firstTask(tasks, 'evaluate');
    const statistics = firstTask(tasks, 'statistics');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => h.model && (h.model.elementCount += 1)))).toEqual({ code: 'TASK_NOT_APPROVED', field: 'model.elementCount', message: "the job's model has 1313 parameters, but this task's model has 1314" });
    expect(refusalOf(spec, evaluate, changed(evaluate.header, (h) => h.model && (h.model.dtype = 'DTYPE_FLOAT64')))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'model.dtype' });
    expect(refusalOf(spec, evaluate, changed(evaluate.header, (h) => (h.model = null)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'model' });
    expect(refusalOf(spec, statistics, changed(statistics.header, (h) => (h.model = fit.header.model)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'model' });
  });

  test('training settings on a task that is not fit, or none on a fit task', () => {
    const fit = firstTask(tasks, 'fit');
    const evaluate = firstTask(tasks, 'evaluate');

    expect(refusalOf(spec, evaluate, changed(evaluate.header, (h) => (h.fit = fit.header.fit)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'fit' });
    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.fit = null)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'fit' });
  });

  test.each([
    ['threshold', (s: NonNullable<TaskHeader__Output['secure']>) => (s.threshold -= 1)],
    ['degree', (s: NonNullable<TaskHeader__Output['secure']>) => (s.degree = 2)],
    ['encoding', (s: NonNullable<TaskHeader__Output['secure']>) => (s.encoding = 'exact')],
    ['clippingRange', (s: NonNullable<TaskHeader__Output['secure']>) => (s.clippingRange = 1000)],
    ['maxWeight', (s: NonNullable<TaskHeader__Output['secure']>) => (s.maxWeight = 1)],
    ['encodedElementCount', (s: NonNullable<TaskHeader__Output['secure']>) => (s.encodedElementCount += 1)],
    ['phaseTimeoutMs', (s: NonNullable<TaskHeader__Output['secure']>) => (s.phaseTimeoutMs = 600_000)],
  ])('secure setting %s changed: TASK_NOT_APPROVED', (field, change) => {
    const fit = firstTask(tasks, 'fit');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => h.secure && change(h.secure)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: `secure.${field}` });
  });

  test('statistics and evaluation sums must be encoded exactly', () => {
    const statistics = firstTask(tasks, 'statistics');
    const evaluate = firstTask(tasks, 'evaluate');

    expect(refusalOf(spec, statistics, changed(statistics.header, (h) => h.secure && Object.assign(h.secure, { encoding: 'quantized', clippingRange: 4 })))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'secure.encoding' });
    expect(refusalOf(spec, evaluate, changed(evaluate.header, (h) => h.secure && (h.secure.maxWeight = 5)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'secure.maxWeight' });
  });

  test('a plain task for a job accepted with secure aggregation, and a secure one for a job accepted without', async () => {
    const fit = firstTask(tasks, 'fit');
    const plainSpec = jobSpec({ secureAggregation: { enabled: false } });
    const plainFit = firstTask(await honestTasks(plainSpec), 'fit');

    expect(refusalOf(spec, fit, changed(fit.header, (h) => (h.secure = null)))).toEqual({ code: 'SECURE_AGGREGATION_REQUIRED', field: 'secure', message: 'the job was accepted with secure aggregation, but this task asks for a plain contribution' });
    expect(refusalOf(plainSpec, plainFit)).toBeNull();
    expect(refusalOf(plainSpec, plainFit, changed(plainFit.header, (h) => (h.secure = fit.header.secure)))).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'secure' });
  });
});

describe('checkTask: counting', () => {
  const spec = jobSpec();
  let tasks: HonestTask[];
  beforeAll(async () => {
    tasks = await honestTasks(spec);
  });

  test(`a round asked for under new collection ids: ${MAX_DELIVERIES_PER_ROUND} times pass, then TASK_RETRIES_EXCEEDED`, () => {
    const fit = firstTask(tasks, 'fit');
    const job = approveJob(spec, 'bank-1', POLICY);
    const counter = new TaskCounter();
    const attempt = (n: number) => checkTask(job, 'fit', changed(fit.header, (h) => (h.collectionId = `fit-1-s1-a${n}`)), counter, Date.now());

    for (let n = 1; n <= MAX_DELIVERIES_PER_ROUND; n++) expect(attempt(n)).toBeNull();
    expect(attempt(MAX_DELIVERIES_PER_ROUND + 1)).toEqual({ code: 'TASK_RETRIES_EXCEEDED', field: 'round', message: `round 1 (fit) was asked for ${MAX_DELIVERIES_PER_ROUND + 1} times; the organisation allows at most ${MAX_DELIVERIES_PER_ROUND}` });
    // Other rounds and kinds have their own count.
    expect(checkTask(job, 'fit', changed(fit.header, (h) => Object.assign(h, { round: 2, collectionId: 'fit-2' })), counter, Date.now())).toBeNull();
    expect(checkTask(job, 'evaluate', firstTask(tasks, 'evaluate').header, counter, Date.now())).toBeNull();
  });

  test('refused deliveries count too: a hostile coordinator cannot probe without limit', () => {
    const fit = firstTask(tasks, 'fit');
    const job = approveJob(spec, 'bank-1', POLICY);
    const counter = new TaskCounter();
    for (let n = 1; n <= MAX_DELIVERIES_PER_ROUND; n++) {
      expect(checkTask(job, 'fit', changed(fit.header, (h) => Object.assign(h, { collectionId: `c${n}`, fit: { ...h.fit, batchSize: n } })), counter, Date.now())?.field).toBe('batchSize');
    }

    expect(checkTask(job, 'fit', changed(fit.header, (h) => (h.collectionId = 'honest-at-last')), counter, Date.now())?.code).toBe('TASK_RETRIES_EXCEEDED');
  });

  test('the same collection twice is refused, and only recorded (the organisation may already have contributed to it)', () => {
    const fit = firstTask(tasks, 'fit');
    const job = approveJob(spec, 'bank-1', POLICY);
    const counter = new TaskCounter();

    expect(checkTask(job, 'fit', fit.header, counter, Date.now())).toBeNull();
    expect(checkTask(job, 'fit', fit.header, counter, Date.now())).toEqual({ code: 'TASK_NOT_APPROVED', field: 'collectionId', message: 'collection fit-1 was already handled; a retried collection comes under a new id', alreadyHandled: true });
  });
});

describe('checkTask: the secure-aggregation roster', () => {
  const spec = jobSpec();
  let fit: HonestTask;
  beforeAll(async () => {
    fit = firstTask(await honestTasks(spec), 'fit');
  });
  const withRoster = (change: (keys: Record<string, Buffer>) => void) => changed(fit.header, (h) => h.secure && change(h.secure.identityKeys));

  test('a member the signed offer does not invite', () => {
    const header = withRoster((keys) => (keys['evil-corp'] = keys['bank-2']));

    expect(refusalOf(spec, fit, header)).toEqual({ code: 'ROSTER_NOT_APPROVED', field: 'secure.identityKeys', message: 'the roster names "evil-corp", not invited by the signed offer' });
  });

  test('a roster without this organisation', () => {
    const header = withRoster((keys) => delete keys['bank-1']);

    expect(refusalOf(spec, fit, header)).toEqual({ code: 'ROSTER_NOT_APPROVED', field: 'secure.identityKeys', message: 'the roster does not include this organisation (bank-1)' });
  });

  test('a roster below the job\'s minimum or the policy\'s floor', () => {
    const two = withRoster((keys) => ['bank-3', 'bank-4', 'bank-5'].forEach((org) => delete keys[org]));
    const four = withRoster((keys) => delete keys['bank-5']);

    expect(refusalOf(spec, fit, two)).toMatchObject({ code: 'ROSTER_NOT_APPROVED', field: 'secure.identityKeys', message: expect.stringContaining('the roster has 2 organisation(s); this organisation masks with at least 3') });
    expect(refusalOf(spec, fit, four, { minParticipantsPerRound: 5 })).toMatchObject({ code: 'ROSTER_NOT_APPROVED', message: expect.stringContaining('at least 5') });
  });

  test('a policy that pins its peers refuses a roster with any other, and accepts one within them', () => {
    const pinned: RosterPolicy = { minParticipantsPerRound: 3, peers: ['bank-2', 'bank-3'] };
    const withinPins = withRoster((keys) => ['bank-4', 'bank-5'].forEach((org) => delete keys[org]));

    expect(refusalOf(spec, fit, fit.header, pinned)).toEqual({ code: 'ROSTER_NOT_APPROVED', field: 'secure.identityKeys', message: 'the roster names "bank-4", "bank-5", not among the policy\'s privacy.peers' });
    // The roster check passes; the settings the coordinator derived for five members do not fit three.
    expect(refusalOf(spec, fit, withinPins, pinned)).toMatchObject({ code: 'TASK_NOT_APPROVED', field: 'secure.threshold' });
  });
});
