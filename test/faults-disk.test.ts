/**
 * The disk filling up under a running job, for real: the job's output
 * folder is a small tmpfs mounted for this test, and once round 1 is
 * checkpointed the test fills it, leaving room for the job's small writes
 * (logs, transcript, status) but not for the next checkpoint. The job must
 * fail with a clear CHECKPOINT_FAILED error naming ENOSPC; round 1's
 * checkpoint stays whole and readable and no partial checkpoint is left.
 * Needs root (mount), as CI's .ci/run has.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JobReport } from '../coordinator';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { hasCheckpoint, waitFor } from './support/job-processes';
import { jobDir } from './support/job-report';
import { exampleJobDocument, uniqueJobId, writeJobDocument } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt } from './support/repo-paths';
import { shoalResult, startAgent, startShoal, type CliResult } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { createTestPki } from './support/test-pki';

const BANKS = ['bank-1', 'bank-2'];
/** Dense 23→1024→64→1: 90,241 parameters, so one checkpoint needs about 360 KiB. */
const LAYERS = [
  { className: 'Dense', config: { units: 1024, activation: 'relu', inputShape: [23] } },
  { className: 'Dense', config: { units: 64, activation: 'relu' } },
  { className: 'Dense', config: { units: 1, activation: 'sigmoid' } },
];
const PARAMETERS = 23 * 1024 + 1024 + 1024 * 64 + 64 + 64 + 1;
/** What the test leaves free: plenty for a round's log lines and transcript entries, far too little for a checkpoint. */
const LEFT_FREE = 96 * 1024;
const TMPFS_SIZE = '8m';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Fills the file system under `dir` until only about `leave` bytes are available. */
function fillDisk(dir: string, leave: number): void {
  const { bavail, bsize } = statfsSync(dir);
  let remaining = bavail * bsize - leave;
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = openSync(join(dir, 'filler.bin'), 'w');
  try {
    while (remaining > 0) remaining -= writeSync(fd, chunk, 0, Math.min(chunk.length, remaining));
  } finally {
    closeSync(fd);
  }
}

describe('a full disk while the coordinator checkpoints', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let mountPoint: string;
  let mounted = false;
  let nats: NatsServer;
  let submit: CliResult;
  let out: string;
  let report: JobReport;

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('faults-disk');
    mountPoint = join(dir, 'small-disk');
    mkdirSync(mountPoint);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mount.status !== 0) throw new Error(`this test mounts a small tmpfs and needs root (CI runs as root): mount said ${mount.stderr.trim() || mount.status}`);
    mounted = true;
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 400, heldOutRows: 0, seed: 'faults-disk' });
    const regulator = writeRegulatorKey(dir);
    const pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    for (const bank of data.banks) {
      const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId) });
      await startAgent(processes, bank.orgId, config, dir);
    }
    const base = exampleJobDocument();
    const jobId = uniqueJobId('disk-full');
    const specPath = writeJobDocument(dir, `${jobId}.yaml`, {
      ...base,
      jobId,
      invitedOrgs: BANKS,
      minParticipants: 2,
      admissionSeconds: 20,
      roundDeadlineSeconds: 60,
      model: { ...(base.model as Record<string, unknown>), layers: LAYERS },
      training: { ...base.training, rounds: 4, localEpochs: 1 },
    });
    out = jobDir(mountPoint, jobId);
    const started = Date.now();
    const cli = startShoal(processes, ['job', 'submit', specPath, '--nats', nats.url, '--out', mountPoint, '--key', regulator.keyPath, '--pki', pki.dir], join(dir, 'submit.log'));
    await waitFor('round 1 checkpointed', 120_000, () => hasCheckpoint(out, 1));
    fillDisk(mountPoint, LEFT_FREE);
    submit = await shoalResult(cli, 180_000, started);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as JobReport;
  }, 300_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    if (mounted) spawnSync('umount', ['-l', mountPoint]);
    if (dir) removeTempDir(dir);
  });

  test('the job fails with CHECKPOINT_FAILED, naming ENOSPC, the checkpoint and the last complete one', () => {
    expect(submit.code).toBe(3);
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('CHECKPOINT_FAILED');
    expect(report.error?.message).toContain('could not write the checkpoint of round 2');
    expect(report.error?.message).toContain('ENOSPC');
    expect(report.error?.message).toContain('the last complete checkpoint is round 1');
    expect(submit.stderr).toContain('job FAILED (CHECKPOINT_FAILED)');
  });

  test('a failed job is not a crash: the coordinator is not restarted', () => {
    expect(submit.stderr).not.toContain('starting it again');
  });

  test('no partial checkpoint is left, and round 1 is whole: its weights match its manifest and the transcript', () => {
    const checkpoints = join(out, 'checkpoints');
    expect(readdirSync(checkpoints).sort()).toEqual(['round-0000', 'round-0001']);
    const round1 = join(checkpoints, 'round-0001');
    const manifest = JSON.parse(readFileSync(join(round1, 'checkpoint.json'), 'utf8')) as { round: number; parameters: number; weightsSha256: string };
    const weights = readFileSync(join(round1, 'weights.bin'));
    expect(manifest).toMatchObject({ round: 1, parameters: PARAMETERS });
    expect(weights.length).toBe(PARAMETERS * 4);
    expect(sha256(weights)).toBe(manifest.weightsSha256);
    const transcript = readFileSync(join(out, 'transcript.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; data: { round?: number; modelSha256?: string } });
    const completed = transcript.find((entry) => entry.type === 'round.completed' && entry.data.round === 1);
    expect(completed?.data.modelSha256).toBe(manifest.weightsSha256);
    expect(existsSync(join(out, 'model'))).toBe(false);
  });
});
