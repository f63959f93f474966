/**
 * Turns one dataset into a simulated federation: a held-out slice that no
 * organisation sees (for comparing the federated and centralized models),
 * and a non-IID split of the rest across the organisations, each written to
 * its own CSV file with its own agent config and moderation policy (which
 * pins the simulated regulator's key and auto-approves exactly this job's
 * kind of work) and its certificate. Each organisation's audit log lands in
 * <out>/orgs/<org>/.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../../common/job-spec';
import type { TlsFiles } from '../../common/pki';
import { createRng, shuffleInPlace } from '../../common/random';
import { selectColumns, type TabularData } from '../../common/tabular-dataset';
import { compileAgentConfig, type AgentConfig } from '../../participant-agent';
import { stringify as toYaml } from 'yaml';
import { dirichletLabelPartition } from './partition-dataset';
import type { SimulationDataset } from './simulation-datasets';

export interface Federation {
  orgs: Array<{ orgId: string; config: AgentConfig; rows: number; positiveRate: number | null }>;
  /** Rows the organisations hold, pooled: what a centralized model would train on. */
  pooled: TabularData;
  heldOut: TabularData;
}

function writeCsv(path: string, header: string[], records: string[][], rows: ArrayLike<number>): void {
  const lines = [header.join(',')];
  for (let i = 0; i < rows.length; i++) lines.push(records[rows[i]].join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** A policy that allows this job and, by default deny, nothing else. */
function simulatedPolicy(spec: JobSpec, regulatorKey: string): Record<string, unknown> {
  const dp = spec.differentialPrivacy;
  return {
    requesters: {
      [spec.requester]: { publicKey: regulatorKey, approval: 'auto', datasets: { [spec.dataset.name]: { columns: [...spec.dataset.features, spec.dataset.label] } } },
    },
    shareDecisionReasons: true,
    models: { allowedLayers: [...new Set(spec.model.layers.map((l) => l.className))], maxParameters: 10_000_000, maxRounds: spec.training.rounds, maxLocalEpochs: spec.training.localEpochs },
    privacy: {
      requireSecureAggregation: spec.secureAggregation.enabled,
      minParticipantsPerRound: Math.min(3, spec.minParticipants),
      ...(dp ? { differentialPrivacy: { maxEpsilon: dp.epsilon, maxDelta: dp.delta } } : {}),
    },
    output: { maxL2Norm: 10_000, onNormExceeded: 'reject', exampleCountGranularity: 1, maxViolations: 3, requireRelease: false },
  };
}

export function prepareFederation(dataset: SimulationDataset, spec: JobSpec, orgIds: string[], outDir: string, seed: number, regulatorKey: string, orgTls: Record<string, TlsFiles>): Federation {
  const table = dataset.load(seed);
  const all = selectColumns(table, spec.dataset, dataset.name);
  const order = Int32Array.from({ length: all.rows }, (_, i) => i);
  shuffleInPlace(order, createRng(`${seed}:held-out`));
  const heldOutCount = Math.round(all.rows * dataset.heldOutFraction);
  const heldOutRows = order.subarray(0, heldOutCount);
  const orgRows = Array.from(order.subarray(heldOutCount));
  const labels = orgRows.map((row) => all.labels[row]);
  const parts = dirichletLabelPartition(labels, orgIds.length, dataset.dirichletAlpha, createRng(`${seed}:partition`), 200);
  const dataDir = join(outDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const orgs = orgIds.map((orgId, i) => {
    const rows = parts[i].map((p) => orgRows[p]);
    const file = join(dataDir, `${orgId}.csv`);
    writeCsv(file, table.header, table.records, rows);
    const orgDir = join(outDir, 'orgs', orgId);
    mkdirSync(orgDir, { recursive: true });
    // A fresh simulation starts fresh records: an old log would be another run's history.
    for (const old of ['audit.jsonl', 'privacy-ledger.json']) rmSync(join(orgDir, old), { force: true });
    // With them the identity key and the recorded audit head: an agent that kept both would refuse the missing log.
    rmSync(join(outDir, 'work', orgId), { recursive: true, force: true });
    writeFileSync(join(orgDir, 'policy.yaml'), toYaml(simulatedPolicy(spec, regulatorKey)));
    const config = compileAgentConfig({
      orgId,
      policy: join(orgDir, 'policy.yaml'),
      auditLog: join(orgDir, 'audit.jsonl'),
      privacyLedger: join(orgDir, 'privacy-ledger.json'),
      datasets: { [spec.dataset.name]: { path: file } },
      workDir: join(outDir, 'work', orgId),
      tls: orgTls[orgId],
    }, outDir);
    const positives = spec.dataset.labelType === 'binary' ? rows.reduce((n, r) => n + all.labels[r], 0) / rows.length : null;
    return { orgId, config, rows: rows.length, positiveRate: positives };
  });
  const pooledRows = orgs.length > 0 ? parts.flatMap((part) => part.map((p) => orgRows[p])) : [];
  const take = (rows: ArrayLike<number>): TabularData => {
    const features = new Float32Array(rows.length * all.columns);
    const out = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      features.set(all.features.subarray(rows[i] * all.columns, (rows[i] + 1) * all.columns), i * all.columns);
      out[i] = all.labels[rows[i]];
    }
    return { rows: rows.length, columns: all.columns, features, labels: out };
  };
  return { orgs, pooled: take(pooledRows), heldOut: take(heldOutRows) };
}
