/**
 * `shoal federation init`: everything a demonstration federation needs in one
 * folder, as docker-compose.yml runs it: the certificate authority with each
 * bank's, the regulator's and the NATS server's certificates and the NATS
 * configuration; the regulator's signing key; each bank's slice of
 * credit-default, its policy (pinning the regulator's key, approving this
 * job by itself) and its agent config; and the job spec. Every path written
 * is absolute, because the agents' Docker sandboxes mount data by host path:
 * the folder must be mounted at the same path in every container.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ConfigError } from '../common/errors';
import { loadJobSpec } from '../common/job-spec';
import { initAuthorityDir, issueToDir } from '../common/pki';
import { createRng, shuffleInPlace } from '../common/random';
import { writeNewSigningKey } from '../common/signing';
import { writeNatsConfig } from './nats-config-command';
import { SIMULATION_DATASETS } from './simulate/simulation-datasets';

export interface FederationInitOptions {
  dir: string;
  banks: number;
  rounds: number;
  /** How agents and the regulator reach NATS, and the name the regulator's servers carry. */
  natsHost: string;
  regulatorHost: string;
  trainerImage: string;
}

export interface FederationLayout {
  dir: string;
  jobSpec: string;
  jobId: string;
  banks: string[];
  /** The regulator's command line, as the compose file runs it. */
  submitArgs: string[];
}

export const FEDERATION_JOB_ID = 'credit-default-federation';

/** True when `dir` already holds a federation made by initFederation. */
export function federationExists(dir: string): boolean {
  return existsSync(join(resolve(dir), 'job.yaml'));
}

export async function initFederation(options: FederationInitOptions): Promise<FederationLayout> {
  const dir = resolve(options.dir);
  if (federationExists(dir)) throw new ConfigError(`${dir} already holds a federation (job.yaml exists); remove the folder to start again`, { dir });
  if (!Number.isInteger(options.banks) || options.banks < 2 || options.banks > 20) throw new ConfigError(`--banks: expected 2 to 20; found ${options.banks}`);
  mkdirSync(dir, { recursive: true });
  const banks = Array.from({ length: options.banks }, (_, i) => `bank-${i + 1}`);
  const pki = join(dir, 'pki');
  const { caCertPath, crlPath } = await initAuthorityDir(pki, { name: 'Shoal demonstration federation CA' });
  await issueToDir(pki, { orgId: 'regulator', role: 'regulator' });
  const signing = writeNewSigningKey(join(dir, 'regulator'), 'regulator');
  const natsUrl = `tls://${options.natsHost}:4222`;

  const example = SIMULATION_DATASETS['credit-default'];
  const base = loadJobSpec(example.specPath);
  const spec = { ...base, jobId: FEDERATION_JOB_ID, invitedOrgs: banks, minParticipants: 2, admissionSeconds: 180, training: { ...base.training, rounds: options.rounds } };
  const jobSpec = join(dir, 'job.yaml');
  const table = example.load(0);
  const order = Int32Array.from({ length: table.records.length }, (_, i) => i);
  shuffleInPlace(order, createRng('federation-init'));
  const share = Math.floor(order.length / banks.length);
  for (const [i, orgId] of banks.entries()) {
    const bankDir = join(dir, orgId);
    mkdirSync(join(bankDir, 'work'), { recursive: true });
    const rows = order.subarray(i * share, (i + 1) * share);
    writeFileSync(join(bankDir, 'credit-default.csv'), `${[table.header.join(','), ...Array.from(rows, (r) => table.records[r].join(','))].join('\n')}\n`);
    // The bank's key goes into its own folder, the only one its container mounts (with the CA certificate and the list).
    const tls = await issueToDir(pki, { orgId, role: 'participant', outDir: bankDir });
    writeFileSync(join(bankDir, 'policy.yaml'), toYaml({
      requesters: { [spec.requester]: { publicKey: signing.publicKey, approval: 'auto', datasets: { 'credit-default': { columns: [...spec.dataset.features, spec.dataset.label] } } } },
      shareDecisionReasons: true,
      models: { allowedLayers: ['Dense', 'Dropout'], maxParameters: 100_000, maxRounds: 100, maxLocalEpochs: 10 },
      privacy: { requireSecureAggregation: true, minParticipantsPerRound: 2 },
      output: { maxL2Norm: 1000, onNormExceeded: 'reject', exampleCountGranularity: 10, maxViolations: 3, requireRelease: false },
    }));
    writeFileSync(join(bankDir, 'agent.yaml'), toYaml({
      orgId,
      nats: natsUrl,
      policy: join(bankDir, 'policy.yaml'),
      datasets: { 'credit-default': { path: join(bankDir, 'credit-default.csv') } },
      workDir: join(bankDir, 'work'),
      tls: { ca: caCertPath, cert: tls.certPath, key: tls.keyPath, crl: crlPath },
      sandbox: { type: 'docker', allowProcessSandbox: false, image: options.trainerImage },
    }));
  }
  writeFileSync(jobSpec, toYaml(spec));
  await writeNatsConfig(pki, { out: join(pki, 'nats.conf'), host: '0.0.0.0', port: 4222, dnsNames: [options.natsHost, 'localhost'] });
  return {
    dir,
    jobSpec,
    jobId: FEDERATION_JOB_ID,
    banks,
    submitArgs: ['job', 'submit', jobSpec, '--nats', natsUrl, '--pki', pki, '--key', signing.privateKeyPath, '--out', join(dir, 'jobs'), '--host', options.regulatorHost],
  };
}
