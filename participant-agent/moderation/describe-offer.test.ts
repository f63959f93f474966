import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileJobSpec } from '../../common/job-spec';
import type { PendingOffer, PendingRelease } from './records';
import { describeOffer, describePendingList, describePendingReleases, formatDuration } from './describe-offer';

const example = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
const NOW = new Date('2030-01-01T12:00:00Z');
const DIGEST = `sha256:${'cd'.repeat(32)}`;
// 23·32+32 + 32·16+16 + 16·1+1 for the example's three Dense layers.
const EXAMPLE_PARAMETERS = 1345;
const OFFER_SHA256 = `0123456789abcdef${'e'.repeat(48)}`;

function offer(changes: Record<string, unknown> = {}, settings: Partial<PendingOffer> = {}): PendingOffer {
  const spec = compileJobSpec({ ...example, ...changes });
  return {
    jobId: spec.jobId,
    offerSha256: OFFER_SHA256,
    requester: spec.requester,
    receivedAt: new Date(NOW.getTime() - 60_000).toISOString(),
    expiresAt: new Date(NOW.getTime() + 270_000).toISOString(),
    spec,
    coordinator: '10.0.0.1:7000',
    aggregator: '10.0.0.2:7001',
    dataPath: '/srv/data/credit.csv',
    reasons: [
      { rule: 'requesters', outcome: 'ask', reason: 'requester "regulator" needs a person\'s approval' },
      { rule: 'models', outcome: 'allow', reason: 'Dense layers, 1345 parameters' },
    ],
    modelParameters: EXAMPLE_PARAMETERS,
    ...settings,
  };
}

describe('describeOffer', () => {
  test('names the job, the requester and how long is left to decide', () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain('Job credit-default-mlp, requested by regulator');
    expect(text).toContain('(in 4 min 30 s)');
  });

  test('names the local file and exactly the columns read', () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain('credit-default → /srv/data/credit.csv');
    expect(text).toContain(`features (23 columns): ${Array.from({ length: 23 }, (_, i) => `X${i + 1}`).join(', ')}`);
    expect(text).toContain('label: Y (binary)');
    expect(text).toContain('10% of the rows are held out');
  });

  test('describes the model layer by layer, with its size and loss', () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain('Model: sequential, 1,345 parameters, loss binaryCrossentropy');
    expect(text).toContain('1. Dense: 32 units, relu, inputShape [23]');
    expect(text).toContain('3. Dense: 1 unit, sigmoid');
  });

  test('describes the training', () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain('20 rounds, 2 local epochs, batch size 64, optimizer adam, learning rate 0.001');
    expect(text).toContain('strategy fedavg (serverLearningRate 1)');
  });

  test('says what leaves each round, in values, and that the aggregator sees only the sum', () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain('a masked normalisation statistics vector of 47 values (1+2×23');
    expect(text).toContain('each fit round, 20 rounds in all: a masked model update of 1,345 values (float32), quantised and masked before sending, with its weight (the number of examples it used)');
    expect(text).toContain('each round: a masked evaluation vector of 2,003 values');
    expect(text).toContain('The aggregator sees only the sum');
    expect(text).toContain('secure aggregation on: threshold derived, neighbours derived, chosen so that an aggregator colluding with 10% of the participants exposes no one');
    expect(text).toContain('differential privacy: none');
  });

  test('without secure aggregation, says each update is seen individually', () => {
    const text = describeOffer(offer({ secureAggregation: { enabled: false }, preprocessing: { normalize: false } }), NOW);

    expect(text).toContain('a model update of 1,345 values (float32), with its weight');
    expect(text).toContain('Secure aggregation is OFF: the aggregator sees each of these vectors individually');
    expect(text).toContain('secure aggregation off');
    expect(text).not.toContain('normalisation statistics');
  });

  test('states differential privacy, the threshold, resources and a custom image', () => {
    const text = describeOffer(
      offer({
        differentialPrivacy: { mode: 'distributed', epsilon: 2.5, delta: 1e-6, clipNorm: 0.5 },
        secureAggregation: { enabled: true, threshold: 3 },
        resources: { memoryMiB: 1024, cpus: 2 },
        trainingImage: { reference: 'regulator/trainer:1', digest: DIGEST },
      }),
      NOW,
    );

    expect(text).toContain('differential privacy distributed: ε 2.5, δ 0.000001, clip norm 0.5, noise multiplier the smallest that fits the budget');
    expect(text).toContain('clipped to L2 norm 0.5, with this organisation\'s share of Gaussian noise added');
    expect(text).toContain('with weight 1');
    expect(text).toContain('secure aggregation on: threshold 3');
    expect(text).toContain("memory 1024 MiB, cpus 2, pids organisation's default");
    expect(text).toContain(`Training image: regulator/trainer:1 (${DIGEST})`);
  });

  test("says so when the job asks for the organisation's default resources and no image", () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain("Resources\n  the organisation's defaults");
    expect(text).toContain("Training image: none (the organisation's own trainer");
  });

  test("lists the policy's verdicts and how to decide", () => {
    const text = describeOffer(offer(), NOW);

    expect(text).toContain('requesters: ask — requester "regulator" needs a person\'s approval');
    expect(text).toContain('models: allow — Dense layers, 1345 parameters');
    expect(text).toContain(`Decide: shoal agent approve credit-default-mlp --offer ${OFFER_SHA256}   or   shoal agent reject credit-default-mlp --offer ${OFFER_SHA256} --reason <text>`);
  });

  test('names the exact offer a decision applies to, by its SHA-256', () => {
    const lines = describeOffer(offer(), NOW).split('\n');

    expect(lines[1]).toBe(`  offer sha256 ${OFFER_SHA256}: a decision applies to this exact offer only`);
  });

  test('an offer past its expiry says so', () => {
    const text = describeOffer(offer({}, { expiresAt: new Date(NOW.getTime() - 120_000).toISOString() }), NOW);

    expect(text).toContain('(expired 2 min ago)');
  });
});

describe('describePendingList', () => {
  test('is one row per offer, with the rules that asked', () => {
    const list = [
      offer(),
      offer({ jobId: 'mnist-cnn', requester: 'health-authority' }, { offerSha256: 'f'.repeat(64), expiresAt: new Date(NOW.getTime() + 7_500_000).toISOString(), reasons: [{ rule: 'datasets', outcome: 'ask', reason: 'x' }, { rule: 'images', outcome: 'ask', reason: 'y' }] }),
    ];

    const lines = describePendingList(list, NOW).split('\n');

    expect(lines[0]).toMatch(/^JOB +OFFER SHA-256 +REQUESTER +DATASET +EXPIRES IN +ASKING RULE\(S\)$/);
    expect(lines[1]).toMatch(/^credit-default-mlp +0123456789abcdef +regulator +credit-default +4 min 30 s +requesters$/);
    expect(lines[2]).toMatch(/^mnist-cnn +ffffffffffffffff +health-authority +credit-default +2 h 5 min +datasets, images$/);
  });

  test('says when nothing is waiting', () => {
    expect(describePendingList([], NOW)).toBe('no offers are waiting for a decision');
  });
});

describe('describePendingReleases', () => {
  const release: PendingRelease = {
    jobId: 'job-a',
    round: 4,
    collectionId: 'fit-4',
    kind: 'fit',
    requestedAt: NOW.toISOString(),
    deadline: new Date(NOW.getTime() + 45_000).toISOString(),
    summary: { elements: 1345, weight: 240, l2Norm: 1.2345678, sha256: 'ab'.repeat(32) },
  };

  test('is one row per round with what would be sent', () => {
    const lines = describePendingReleases('job-a', [release], NOW).split('\n');

    expect(lines[1]).toMatch(/^4 +fit +1,345 +240 +1\.23457 +abababababababab +45 s$/);
  });

  test('says when nothing is waiting', () => {
    expect(describePendingReleases('job-a', [], NOW)).toBe('no round outputs of job job-a are waiting for release');
  });
});

test.each([
  [0, '0 s'],
  [59_400, '59 s'],
  [90_000, '1 min 30 s'],
  [7_200_000, '2 h'],
  [90_061_000, '1 d 1 h'],
])('formatDuration(%d) is %j', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});
