/**
 * `shoal federation …`: everything a demonstration federation needs in one
 * folder: the certificate authority with each bank's, the regulator's and
 * the NATS server's certificates and the NATS configuration; the
 * regulator's signing key; each bank's slice of credit-default, its policy
 * (pinning the regulator's key, approving this job by itself) and its agent
 * config; and the job spec. Every path written is absolute, because the
 * agents' Docker sandboxes mount data by host path: the folder must be
 * mounted at the same path in every container.
 *
 * In three steps, as docker-compose.yml runs them, each in its own container
 * that mounts only its own party's folders:
 *   1. authority (the regulator): the CA, its own certificate and signing
 *      key, job.yaml and the public files: <dir>/pki/ca.crt.pem,
 *      <dir>/pki/crl.pem, <dir>/regulator.pub;
 *   2. bank (each bank, in <dir>/<bank>): its own key and signing request,
 *      its data slice, policy and agent config; the request is copied to
 *      its exchange folder (<dir>/requests/<bank>), the only bank folder the
 *      CA sees;
 *   3. certify (the CA): a certificate for each request, into the exchange
 *      folder, then the NATS config, which lets in each certified party.
 * `init` runs all three in one process, with each bank's folder as its
 * exchange folder.
 */
import { chmodSync, copyFileSync, existsSync, lchownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ConfigError } from '../common/errors';
import { loadJobSpec, type JobSpec } from '../common/job-spec';
import { initAuthorityDir, issueFromRequestToDir, issueToDir, requestToDir } from '../common/pki';
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

export interface FederationBankOptions {
  /** The federation folder, as the authority step left it (job.yaml, regulator.pub, pki/ are read or named, never written). */
  dir: string;
  orgId: string;
  natsHost: string;
  trainerImage: string;
  /** Where the signing request goes and the certificate will come back; the bank's own folder by default. */
  exchangeDir?: string;
  /** Hands the bank's folders to the user its agent runs as (the step itself runs as root in compose). */
  owner?: { uid: number; gid: number };
}

const REGULATOR_PUBLIC_KEY = 'regulator.pub';
const DATASET_FILE = 'credit-default.csv';

function bankIds(banks: number): string[] {
  if (!Number.isInteger(banks) || banks < 2 || banks > 20) throw new ConfigError(`--banks: expected 2 to 20; found ${banks}`);
  return Array.from({ length: banks }, (_, i) => `bank-${i + 1}`);
}

/** The regulator's side: the CA, its certificate and signing key, and the job spec (written last: its presence means the step finished). */
export async function initFederationAuthority(options: Omit<FederationInitOptions, 'trainerImage'>): Promise<FederationLayout> {
  const dir = resolve(options.dir);
  if (federationExists(dir)) throw new ConfigError(`${dir} already holds a federation (job.yaml exists); remove the folder to start again`, { dir });
  const banks = bankIds(options.banks);
  mkdirSync(dir, { recursive: true });
  const pki = join(dir, 'pki');
  await initAuthorityDir(pki, { name: 'Shoal demonstration federation CA' });
  await issueToDir(pki, { orgId: 'regulator', role: 'regulator' });
  const signing = writeNewSigningKey(join(dir, 'regulator'), 'regulator');
  const natsUrl = `tls://${options.natsHost}:4222`;
  const base = loadJobSpec(SIMULATION_DATASETS['credit-default'].specPath);
  const spec = { ...base, jobId: FEDERATION_JOB_ID, invitedOrgs: banks, minParticipants: 2, admissionSeconds: 180, training: { ...base.training, rounds: options.rounds } };
  const jobSpec = join(dir, 'job.yaml');
  writeFileSync(jobSpec, toYaml(spec));
  return {
    dir,
    jobSpec,
    jobId: FEDERATION_JOB_ID,
    banks,
    submitArgs: ['job', 'submit', jobSpec, '--nats', natsUrl, '--pki', pki, '--key', signing.privateKeyPath, '--out', join(dir, 'jobs'), '--host', options.regulatorHost],
  };
}

/** The bank's rows: the same seeded shuffle everywhere, the bank's share by its place in the invitation list. */
function bankRows(spec: JobSpec, orgId: string): string {
  const index = spec.invitedOrgs.indexOf(orgId);
  if (index === -1) throw new ConfigError(`--org: ${orgId} is not invited by the federation's job (${spec.invitedOrgs.join(', ')})`, { orgId });
  const table = SIMULATION_DATASETS['credit-default'].load(0);
  const order = Int32Array.from({ length: table.records.length }, (_, i) => i);
  shuffleInPlace(order, createRng('federation-init'));
  const share = Math.floor(order.length / spec.invitedOrgs.length);
  const rows = order.subarray(index * share, (index + 1) * share);
  return `${[table.header.join(','), ...Array.from(rows, (r) => table.records[r].join(','))].join('\n')}\n`;
}

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  lchownSync(path, owner.uid, owner.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, owner);
    else lchownSync(child, owner.uid, owner.gid);
  }
}

/**
 * One bank's side, run by the bank: its key (which never leaves its folder)
 * and signing request, its data slice, policy and agent config (written
 * last: its presence means the step finished). Returns the request's path in
 * the exchange folder.
 */
export async function initFederationBank(options: FederationBankOptions): Promise<{ bankDir: string; csrPath: string }> {
  const dir = resolve(options.dir);
  const { orgId } = options;
  const spec = loadJobSpec(join(dir, 'job.yaml'));
  const bankDir = join(dir, orgId);
  const exchangeDir = resolve(options.exchangeDir ?? bankDir);
  if (existsSync(join(bankDir, 'agent.yaml'))) throw new ConfigError(`${bankDir} already holds ${orgId}'s agent config; remove the folder to start again`, { dir: bankDir });
  const regulatorKey = readFileSync(join(dir, REGULATOR_PUBLIC_KEY), 'utf8').trim();
  const rows = bankRows(spec, orgId);
  const { keyPath, csrPath } = await requestToDir(bankDir, { orgId, role: 'participant' });
  mkdirSync(join(bankDir, 'work'), { recursive: true });
  // The engine may have made the folder (0755) before this step ran: no one else on the host lists it.
  chmodSync(bankDir, 0o700);
  mkdirSync(exchangeDir, { recursive: true });
  const sentPath = join(exchangeDir, `${orgId}.participant.csr.pem`);
  if (sentPath !== csrPath) copyFileSync(csrPath, sentPath);
  // Readable by the trainer's user: the Docker sandbox trains as 65534.
  writeFileSync(join(bankDir, DATASET_FILE), rows, { mode: 0o644 });
  writeFileSync(join(bankDir, 'policy.yaml'), toYaml({
    requesters: { [spec.requester]: { publicKey: regulatorKey, approval: 'auto', datasets: { 'credit-default': { columns: [...spec.dataset.features, spec.dataset.label] } } } },
    shareDecisionReasons: true,
    models: { allowedLayers: ['Dense', 'Dropout'], maxParameters: 100_000, maxRounds: 100, maxLocalEpochs: 10 },
    privacy: { requireSecureAggregation: true, minParticipantsPerRound: 2 },
    output: { maxL2Norm: 1000, onNormExceeded: 'reject', exampleCountGranularity: 10, maxViolations: 3, requireRelease: false },
  }));
  const pki = join(dir, 'pki');
  writeFileSync(join(bankDir, 'agent.yaml'), toYaml({
    orgId,
    nats: `tls://${options.natsHost}:4222`,
    policy: join(bankDir, 'policy.yaml'),
    datasets: { 'credit-default': { path: join(bankDir, DATASET_FILE) } },
    workDir: join(bankDir, 'work'),
    tls: { ca: join(pki, 'ca.crt.pem'), cert: join(exchangeDir, `${orgId}.participant.crt.pem`), key: keyPath, crl: join(pki, 'crl.pem') },
    sandbox: { type: 'docker', allowProcessSandbox: false, image: options.trainerImage },
  }));
  if (options.owner) {
    chownTree(bankDir, options.owner);
    chownTree(exchangeDir, options.owner);
  }
  return { bankDir, csrPath: sentPath };
}

/**
 * The CA's side: a participant certificate for each invited bank's signing
 * request in its exchange folder (`exchangeRoot/<bank>`, or the bank's own
 * folder), written next to it; then the NATS config, which names every
 * certified party. With `reuse`, a bank already certified there is left
 * alone. Returns the certificates' paths.
 */
export async function certifyFederationBanks(options: { dir: string; natsHost: string; exchangeRoot?: string; reuse?: boolean }): Promise<string[]> {
  const dir = resolve(options.dir);
  const spec = loadJobSpec(join(dir, 'job.yaml'));
  const certificates: string[] = [];
  for (const orgId of spec.invitedOrgs) {
    const exchangeDir = join(options.exchangeRoot ? resolve(options.exchangeRoot) : dir, orgId);
    const certPath = join(exchangeDir, `${orgId}.participant.crt.pem`);
    if (!(options.reuse && existsSync(certPath))) {
      const csrPem = readFileSync(join(exchangeDir, `${orgId}.participant.csr.pem`), 'utf8');
      await issueFromRequestToDir(join(dir, 'pki'), { orgId, role: 'participant', csrPem, outDir: exchangeDir });
    }
    certificates.push(certPath);
  }
  const pki = join(dir, 'pki');
  await writeNatsConfig(pki, { out: join(pki, 'nats.conf'), host: '0.0.0.0', port: 4222, dnsNames: [options.natsHost, 'localhost'] });
  return certificates;
}

/** All three steps in one process: each bank enrols by signing request in its own folder, and the CA folder never holds its key. */
export async function initFederation(options: FederationInitOptions): Promise<FederationLayout> {
  const layout = await initFederationAuthority(options);
  for (const orgId of layout.banks) await initFederationBank({ dir: layout.dir, orgId, natsHost: options.natsHost, trainerImage: options.trainerImage });
  await certifyFederationBanks({ dir: layout.dir, natsHost: options.natsHost });
  return layout;
}
