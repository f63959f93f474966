/**
 * End to end: a real nats-server, three participant agents as separate
 * processes, and `shoal job submit`, which starts the job's coordinator and
 * aggregator as processes of their own. The federated model must come out
 * close to the same model trained centrally on the pooled rows.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../common/job-spec';
import { selectBackend } from '../common/model/tf-backend';
import type { JobReport } from '../coordinator';
import { evaluateOnHeldOut, loadJobModel, trainCentralized, type HeldOutMetrics } from '../cli/simulate/model-evaluation';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeRegulatorKey } from './support/regulator-key';
import { createTestPki } from './support/test-pki';
import { loadHeldOutRows, loadPooledRows, writeBankData, type BankData } from './support/bank-data';
import { jobDir, readJobReport } from './support/job-report';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt } from './support/repo-paths';
import { runShoal, startAgent, type CliResult } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const BANKS = ['bank-1', 'bank-2', 'bank-3'];
// 10 rounds × 3 local epochs, measured: federated AUC 0.737 against 0.746
// centralized. 5 × 3 fell short of the 0.02 margin (0.721 against 0.745).
const ROUNDS = 10;
const LOCAL_EPOCHS = 3;
const ROWS_PER_BANK = 3000;
const HELD_OUT_ROWS = 3000;
const VALIDATION_FRACTION = 0.1; // the example spec's
/** Dense 23→32, 32→16, 16→1, with biases. */
const PARAMETERS = 23 * 32 + 32 + 32 * 16 + 16 + 16 + 1;

describe('a federated credit-default job across three bank agents', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let data: BankData;
  let spec: JobSpec;
  let outRoot: string;
  let submit: CliResult;
  let report: JobReport | undefined;

  /** The job's report; when there is none, the failure shows what `shoal job submit` said. */
  function jobReport(): JobReport {
    if (!report) throw new Error(`no report.json; shoal job submit exited ${JSON.stringify({ code: submit?.code, signal: submit?.signal })}:\n${submit?.stderr.slice(-4000)}`);
    return report;
  }

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('federated-job');
    outRoot = join(dir, 'jobs');
    data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: ROWS_PER_BANK, heldOutRows: HELD_OUT_ROWS, seed: 'federated-job' });
    const regulator = writeRegulatorKey(dir);
    const pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    await Promise.all(
      data.banks.map(async (bank) => {
        const config = writeAgentConfig(dir, { orgId: bank.orgId, natsUrl: nats.url, datasets: { 'credit-default': bank.path }, policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }), tls: await pki.participant(bank.orgId) });
        return startAgent(processes, bank.orgId, config, dir);
      }),
    );
    const job = writeJobSpec(dir, { jobId: uniqueJobId('federated'), invitedOrgs: BANKS, rounds: ROUNDS, localEpochs: LOCAL_EPOCHS, roundDeadlineSeconds: 120 });
    spec = job.spec;
    submit = await runShoal(processes, ['job', 'submit', job.path, '--nats', nats.url, '--out', outRoot, '--key', regulator.keyPath, '--pki', pki.dir], 240_000, join(dir, 'shoal-submit.log'));
    if (existsSync(join(jobDir(outRoot, spec.jobId), 'report.json'))) report = readJobReport(outRoot, spec.jobId);
  }, 300_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  test('shoal job submit exits 0 and names the model and the report', () => {
    expect({ code: submit.code, signal: submit.signal }).toEqual({ code: 0, signal: null });
    expect(submit.stderr).toContain('job completed');
    expect(submit.stderr).toContain(join(jobDir(outRoot, spec.jobId), 'model', 'model.json'));
    expect(submit.stderr).toContain(join(jobDir(outRoot, spec.jobId), 'report.json'));
  });

  test('the report says completed, every round ran, all three banks took part in each', () => {
    const report = jobReport();
    expect(report.status).toBe('completed');
    expect(report.error).toBeNull();
    expect(report.roundsCompleted).toBe(ROUNDS);
    expect(report.participants).toMatchObject({ invited: BANKS, admitted: BANKS, declined: [], dropped: [] });
    expect(report.participants.decisions.map((d) => [d.orgId, d.accepted, d.decidedBy])).toEqual(BANKS.map((org) => [org, true, 'policy']));
    expect(report.audit.participantHeads.map((h) => h.orgId)).toEqual(BANKS);
    expect(report.perRound.map((r) => r.round)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
    const trainingRows = BANKS.length * (ROWS_PER_BANK - Math.round(ROWS_PER_BANK * VALIDATION_FRACTION));
    for (const round of report.perRound) {
      expect([...round.contributors].sort()).toEqual(BANKS);
      expect(round.missing).toEqual([]);
      expect(round.trainingExamples).toBe(trainingRows);
      expect(round.metrics?.examples).toBe(BANKS.length * Math.round(ROWS_PER_BANK * VALIDATION_FRACTION));
    }
    expect(report.modelPath).toBe(join(jobDir(outRoot, spec.jobId), 'model', 'model.json'));
  });

  test('the final model and the last checkpoints are on disk', () => {
    const out = jobDir(outRoot, spec.jobId);
    for (const file of ['model.json', 'weights.bin', 'normalization.json']) expect(existsSync(join(out, 'model', file))).toBe(true);
    expect(statSync(join(out, 'model', 'weights.bin')).size).toBe(PARAMETERS * 4);
    // The coordinator keeps the last three checkpoints.
    const kept = [ROUNDS - 2, ROUNDS - 1, ROUNDS];
    const name = (round: number): string => `round-${String(round).padStart(4, '0')}`;
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(kept.map(name));
    for (const round of kept) {
      const checkpoint = join(out, 'checkpoints', name(round));
      expect(statSync(join(checkpoint, 'weights.bin')).size).toBe(PARAMETERS * 4);
      const meta = JSON.parse(readFileSync(join(checkpoint, 'checkpoint.json'), 'utf8')) as { round: number; parameters: number };
      expect(meta).toMatchObject({ round, parameters: PARAMETERS });
    }
  });

  test('shoal job status reports the job completed', async () => {
    const status = await runShoal(processes, ['job', 'status', spec.jobId, '--out', outRoot, '--nats', nats.url], 30_000);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`job ${spec.jobId}: completed`);
    expect(status.stdout).toContain(`round ${ROUNDS}/${ROUNDS}`);
  });

  test('on held-out rows, the federated model is within 0.02 AUC of centralized training with the same budget', async () => {
    await selectBackend({ needsConvolutionGradients: false });
    const heldOut = loadHeldOutRows(data, spec.dataset);
    const federatedModel = await loadJobModel(jobDir(outRoot, spec.jobId));
    const federated = evaluateOnHeldOut(federatedModel.model, spec, heldOut, federatedModel.normalization);
    federatedModel.model.dispose();
    const baseline = trainCentralized(spec, loadPooledRows(data, spec.dataset));
    const centralized: HeldOutMetrics = evaluateOnHeldOut(baseline.model, spec, heldOut, baseline.normalization);
    baseline.model.dispose();
    process.stderr.write(`federated-job: held-out AUC federated ${federated.auc?.toFixed(4)}, centralized ${centralized.auc?.toFixed(4)} (${baseline.epochs} epochs); submit took ${submit.seconds.toFixed(1)} s\n`);
    expect(baseline.epochs).toBe(ROUNDS * LOCAL_EPOCHS);
    expect(federated.auc).not.toBeNull();
    expect(centralized.auc).not.toBeNull();
    expect(federated.auc as number).toBeGreaterThanOrEqual((centralized.auc as number) - 0.02);
  }, 120_000);
});
