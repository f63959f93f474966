/**
 * `shoal simulate`: a whole federation on one machine with nothing but
 * Node.js. The aggregator, the coordinator and every organisation's agent
 * run in this process, each with its own gRPC server or client on loopback;
 * every trainer is its own child process. Control messages go through the
 * in-process bus, or through NATS when a URL is given. Afterwards the same
 * model is trained centrally on the pooled rows, and both are evaluated on
 * held-out rows no organisation held.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { AggregatorServer } from '../../aggregator';
import type { Bus } from '../../common/bus/bus';
import { InProcessBus } from '../../common/bus/in-process-bus';
import { NatsBus } from '../../common/bus/nats-bus';
import { subjects } from '../../common/bus/subjects';
import { ConfigError } from '../../common/errors';
import { compileJobSpec, loadJobSpec, type JobSpec } from '../../common/job-spec';
import { needsConvolutionGradients } from '../../common/model/build-model';
import { selectBackend } from '../../common/model/tf-backend';
import { Coordinator, type JobEvent, type JobReport } from '../../coordinator';
import Dockerode from 'dockerode';
import { createSandbox, ParticipantAgent } from '../../participant-agent';
import { ensureLocalTrainerImage } from '../../participant-agent/images';
import { ProgressDisplay } from '../progress';
import { sendOffers } from '../send-offers';
import { evaluateOnHeldOut, loadJobModel, trainCentralized, type HeldOutMetrics } from './model-evaluation';
import { prepareFederation } from './prepare-federation';
import { simulationCertificates } from './simulation-certificates';
import { SIMULATION_DATASETS } from './simulation-datasets';
import { generateIdentity } from '../../common/secagg';
import { publicKeyText } from '../../common/signing';
import { verifyAuditFile } from '../../common/audit';

export interface SimulationOptions {
  dataset: string;
  orgs?: number;
  rounds?: number;
  outDir: string;
  natsUrl?: string;
  seed: number;
  logger: Logger;
  showProgress: boolean;
  /** Secure aggregation (default on, as in job specs). */
  secureAggregation: boolean;
  /** Differential privacy at this ε budget; absent: none. */
  dp?: { epsilon: number; mode: 'central' | 'distributed' };
  /** Where trainers run; auto: Docker when an engine and the trainer image are there, else the process sandbox. */
  sandbox: 'auto' | 'docker' | 'process';
}

export interface SimulationReport {
  dataset: string;
  orgs: number;
  rounds: number;
  backend: string;
  bus: 'in-process' | 'nats';
  /** Which sandbox the trainers ran in. */
  sandbox: 'docker' | 'process';
  partition: { method: string; alpha: number; heldOutRows: number; perOrg: Array<{ orgId: string; rows: number; positiveRate: number | null }> };
  federated: HeldOutMetrics;
  centralized: HeldOutMetrics & { epochs: number };
  aucGap: number | null;
  /** Which protections ran, and the ε spent. */
  privacy: JobReport['privacy'];
  stoppedEarly: string | null;
  perRound: JobReport['perRound'];
  job: { status: JobReport['status']; error: JobReport['error']; reportPath: string; modelPath: string | null; participants: JobReport['participants'] };
  /** Each organisation's audit log, verified, and whether it still reaches the head the job's report pinned. */
  audit: Array<{ orgId: string; path: string; entries: number; intact: boolean; matchesReportedHead: boolean | null; problems: string[] }>;
  wallSeconds: number;
  federatedSeconds: number;
  centralizedSeconds: number;
}

function simulationSpec(base: JobSpec, orgIds: string[], options: SimulationOptions): JobSpec {
  return compileJobSpec({
    ...base,
    jobId: `${base.jobId}-sim`,
    invitedOrgs: orgIds,
    minParticipants: Math.min(base.minParticipants, orgIds.length),
    training: { ...base.training, rounds: options.rounds ?? base.training.rounds },
    seed: options.seed,
    admissionSeconds: 30,
    secureAggregation: { ...base.secureAggregation, enabled: options.secureAggregation },
    differentialPrivacy: options.dp ? { ...base.differentialPrivacy, mode: options.dp.mode, epsilon: options.dp.epsilon } : base.differentialPrivacy,
  });
}

/**
 * With a Docker engine at hand, builds the trainer image from this checkout
 * when it is missing or stale, so the Docker sandbox runs the current code,
 * and returns its id, which every bank's sandbox then runs. Without an
 * engine, `auto` falls back to the process sandbox later on (the
 * simulation opts in to it; an agent's own default refuses).
 */
async function prepareTrainerImage(progress: ProgressDisplay): Promise<string | undefined> {
  // A short timeout for the ping only: image builds take longer.
  const reachable = await new Dockerode({ timeout: 5000 }).ping().then(() => true, () => false);
  if (!reachable) return undefined;
  const { trainerDigest } = await ensureLocalTrainerImage(new Dockerode(), (what) => progress.note(`building ${what} (first Docker run of this checkout)`));
  return trainerDigest;
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const started = Date.now();
  const dataset = SIMULATION_DATASETS[options.dataset];
  if (!dataset) throw new ConfigError(`--dataset: expected one of ${Object.keys(SIMULATION_DATASETS).join(', ')}; found "${options.dataset}"`);
  const orgCount = options.orgs ?? dataset.defaultOrgs;
  if (!Number.isInteger(orgCount) || orgCount < 1 || orgCount > 100) throw new ConfigError(`--orgs: expected a whole number from 1 to 100; found ${options.orgs}`);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const orgIds = Array.from({ length: orgCount }, (_, i) => `${dataset.orgPrefix}-${i + 1}`);
  const spec = simulationSpec(loadJobSpec(dataset.specPath), orgIds, options);
  const { logger } = options;
  const backend = await selectBackend({ needsConvolutionGradients: needsConvolutionGradients(spec.model), logger });

  // The simulated regulator signs its offer; every organisation's policy pins this key.
  const regulatorKey = generateIdentity(spec.requester);
  // A certificate authority for this run only: every gRPC channel uses mutual TLS, as in a deployment.
  const pki = await simulationCertificates(spec.jobId, orgIds, outDir);
  const federation = prepareFederation(dataset, spec, orgIds, outDir, options.seed, publicKeyText(regulatorKey.publicKey), pki.orgs);
  const progress = new ProgressDisplay(spec.training.rounds, options.showProgress && Boolean(process.stderr.isTTY));
  progress.note(`simulating ${orgCount} organisations on ${dataset.name} (${federation.pooled.rows} rows split non-IID, ${federation.heldOut.rows} held out); backend ${backend}`);
  const dp = spec.differentialPrivacy;
  progress.note(`secure aggregation ${spec.secureAggregation.enabled ? 'on' : 'off'}; differential privacy ${dp ? `${dp.mode}, ε ≤ ${dp.epsilon} at δ = ${dp.delta}` : 'off'}`);

  const bus: Bus = options.natsUrl ? await NatsBus.connect(options.natsUrl, 'shoal-simulate') : new InProcessBus();
  const jobDir = join(outDir, 'job');
  const aggregator = new AggregatorServer({ jobId: spec.jobId, host: '127.0.0.1', port: 0, maskWorkers: 0, logger: logger.child({ component: 'aggregator' }), tls: pki.aggregator });
  const imageId = options.sandbox !== 'process' ? await prepareTrainerImage(progress) : undefined;
  // The simulation's explicit opt-in to the weaker process sandbox (an agent's default refuses to train without Docker), unless --sandbox docker.
  const allowProcessSandbox = options.sandbox !== 'docker';
  if (allowProcessSandbox) progress.note('the simulated banks allow the process sandbox (sandbox.allowProcessSandbox: true; a real agent\'s default is false)');
  const sandboxes = await Promise.all(federation.orgs.map((org) => createSandbox({ ...org.config, sandbox: { ...org.config.sandbox, type: options.sandbox, allowProcessSandbox, ...(imageId ? { imageId } : {}) } }, logger.child({ component: 'participant-agent', org: org.orgId }))));
  const sandboxKind = sandboxes[0].kind === 'docker' ? 'docker' : 'process';
  progress.note(`trainers run in the ${sandboxKind} sandbox${sandboxes[0].weakened ? ` (weaker isolation: ${sandboxes[0].weakened})` : imageId ? ` (image ${imageId.slice(0, 19)}…)` : ''}`);
  const agents = federation.orgs.map((org, i) => new ParticipantAgent({ config: org.config, bus, sandbox: sandboxes[i], logger: logger.child({ component: 'participant-agent', org: org.orgId }) }));
  let coordinator: Coordinator | undefined;
  const events = bus.subscribe<JobEvent>(subjects.events(spec.jobId));
  const watching = (async () => {
    for await (const { data } of events) if (options.showProgress) progress.onEvent(data);
  })();
  let jobReport: JobReport;
  const federatedStarted = Date.now();
  try {
    const aggregatorPort = await aggregator.start();
    coordinator = new Coordinator({ spec, outDir: jobDir, host: '127.0.0.1', port: 0, bus, aggregatorAddress: `127.0.0.1:${aggregatorPort}`, logger: logger.child({ component: 'coordinator' }), tls: pki.coordinator, resume: false });
    const coordinatorPort = await coordinator.start();
    for (const agent of agents) await agent.start();
    const offers = sendOffers(bus, {
      spec,
      addresses: { coordinator: `127.0.0.1:${coordinatorPort}`, aggregator: `127.0.0.1:${aggregatorPort}` },
      key: regulatorKey,
      onDecision: (d) => {
        if (!d.accepted) progress.note(`${d.orgId} declined: ${d.reason}`);
      },
    });
    jobReport = await coordinator.run();
    await offers;
  } finally {
    await Promise.allSettled(agents.map((a) => a.stop()));
    await coordinator?.stop();
    await aggregator.stop();
    events.unsubscribe();
    await watching;
    progress.stop();
    await bus.close();
  }
  const federatedSeconds = (Date.now() - federatedStarted) / 1000;

  let federated: HeldOutMetrics = { auc: null, accuracy: null, loss: Number.NaN };
  if (jobReport.status === 'completed') {
    const { model, normalization } = await loadJobModel(jobDir);
    federated = evaluateOnHeldOut(model, spec, federation.heldOut, normalization);
    model.dispose();
  }
  progress.note(`training the centralized baseline on ${federation.pooled.rows} pooled rows (${spec.training.rounds * spec.training.localEpochs} epochs)`);
  const centralizedStarted = Date.now();
  const baseline = trainCentralized(spec, federation.pooled);
  const centralized = { ...evaluateOnHeldOut(baseline.model, spec, federation.heldOut, baseline.normalization), epochs: baseline.epochs };
  baseline.model.dispose();
  const centralizedSeconds = (Date.now() - centralizedStarted) / 1000;

  const report: SimulationReport = {
    dataset: dataset.name,
    orgs: orgCount,
    rounds: jobReport.roundsCompleted,
    backend,
    bus: options.natsUrl ? 'nats' : 'in-process',
    sandbox: sandboxKind,
    partition: { method: 'Dirichlet label skew', alpha: dataset.dirichletAlpha, heldOutRows: federation.heldOut.rows, perOrg: federation.orgs.map(({ orgId, rows, positiveRate }) => ({ orgId, rows, positiveRate })) },
    federated,
    centralized,
    aucGap: federated.auc !== null && centralized.auc !== null ? centralized.auc - federated.auc : null,
    privacy: jobReport.privacy,
    stoppedEarly: jobReport.stoppedEarly,
    perRound: jobReport.perRound,
    job: { status: jobReport.status, error: jobReport.error, reportPath: join(jobDir, 'report.json'), modelPath: jobReport.modelPath, participants: jobReport.participants },
    audit: federation.orgs.map(({ orgId, config }) => {
      const pinned = jobReport.audit.participantHeads.find((h) => h.orgId === orgId);
      const verified = verifyAuditFile(config.auditLog);
      return { orgId, path: config.auditLog, entries: verified.entries, intact: verified.ok, matchesReportedHead: pinned ? verifyAuditFile(config.auditLog, { expectedHead: pinned }).ok : null, problems: verified.problems.map((p) => p.message) };
    }),
    wallSeconds: (Date.now() - started) / 1000,
    federatedSeconds,
    centralizedSeconds,
  };
  writeFileSync(join(outDir, 'report.json'), JSON.stringify(report, null, 2));
  return report;
}
