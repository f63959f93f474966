import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import { CHECKPOINTS_KEPT, CheckpointStore, type JobCheckpoint } from './job-checkpoint';

const spec: JobSpec = compileJobSpec(parseYaml(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')));

function checkpointOf(round: number): JobCheckpoint {
  return {
    round,
    weights: Float32Array.from([0.5, -1.25, round]),
    tensors: [{ name: 'dense/kernel', shape: [3] }],
    normalization: { mean: [1, 2], std: [3, 4] },
    strategy: { first: Float64Array.from([0.1, 0.2, round]), second: Float64Array.from([1e-9, 2, 3]) },
    progress: {
      participants: [{ orgId: 'bank-1', state: 'active', joinedAt: 5, missedInARow: 0, droppedReason: null, withdrawn: false, identityKey: Buffer.alloc(32, 7).toString('base64') }],
      declined: [{ orgId: 'bank-2', reason: 'not this quarter' }],
      admitted: ['bank-1'],
      rounds: [{ round }],
      transcript: { decisions: [], auditHeads: [], joinedKeys: [['bank-1', 'ed25519:x']], decisionSeqs: [['bank-1', 3]] },
    },
  };
}

describe('CheckpointStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-checkpoint-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('reads back exactly what it wrote: weights, optimizer state, normalization and progress', () => {
    const store = new CheckpointStore(dir, spec, false);
    store.write(checkpointOf(2));

    const { checkpoint, skipped } = new CheckpointStore(dir, spec, true).latest();

    expect(skipped).toEqual([]);
    expect(checkpoint).toEqual(checkpointOf(2));
  });

  test(`keeps the newest ${CHECKPOINTS_KEPT} and never leaves a .partial folder`, () => {
    const store = new CheckpointStore(dir, spec, false);
    for (let round = 0; round <= 5; round++) store.write(checkpointOf(round));

    expect(readdirSync(join(dir, 'checkpoints')).sort()).toEqual(['round-0003', 'round-0004', 'round-0005']);
    expect(store.latest().checkpoint?.round).toBe(5);
  });

  test('falls back to an older checkpoint when the newest is damaged, saying why', () => {
    const store = new CheckpointStore(dir, spec, false);
    store.write(checkpointOf(1));
    store.write(checkpointOf(2));
    const weights = join(dir, 'checkpoints', 'round-0002', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[0] ^= 0xff;
    writeFileSync(weights, bytes);

    const { checkpoint, skipped } = store.latest();

    expect(checkpoint?.round).toBe(1);
    expect(skipped).toEqual([{ round: 2, reason: expect.stringContaining('weights.bin does not match its size or hash') }]);
  });

  test('refuses a checkpoint written for another spec, and one with a file missing', () => {
    new CheckpointStore(dir, spec, false).write(checkpointOf(1));
    const other = { ...spec, seed: spec.seed + 1 };

    expect(new CheckpointStore(dir, other, true).latest()).toEqual({ checkpoint: null, skipped: [{ round: 1, reason: expect.stringContaining('written for a different job spec') }] });
    rmSync(join(dir, 'checkpoints', 'round-0001', 'state.json'));
    expect(new CheckpointStore(dir, spec, true).latest().skipped[0].reason).toContain('state.json is missing');
  });

  test('a fresh (not resumed) start moves an earlier run\'s checkpoints aside instead of resuming them', () => {
    new CheckpointStore(dir, spec, false).write(checkpointOf(3));

    const fresh = new CheckpointStore(dir, spec, false);

    expect(fresh.latest().checkpoint).toBeNull();
    expect(readdirSync(dir).filter((name) => name.startsWith('checkpoints.'))).toHaveLength(1);
  });

  test('a failed write throws CHECKPOINT_FAILED naming the last complete checkpoint, and removes its partial folder', () => {
    const store = new CheckpointStore(dir, spec, false);
    store.write(checkpointOf(1));
    const broken = checkpointOf(2);
    // A cycle cannot be serialised: the write fails after weights.bin reached the partial folder.
    (broken.progress as unknown as { self: unknown }).self = broken.progress;

    expect(() => store.write(broken)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_FAILED', message: expect.stringContaining('the last complete checkpoint is round 1') }));
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['round-0001']);
  });
});
