/**
 * `shoal job submit job.yaml`: validates the spec, starts the job's
 * aggregator and coordinator as child processes, offers the job to the
 * invited organisations over NATS, shows progress, and says where the
 * model and the report are.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { loadJobSpec } from '../common/job-spec';
import { loadSigningKey } from '../common/signing';
import { EXIT_CODES } from '../common/process-lifecycle';
import type { JobEvent } from '../coordinator';
import { componentScript, launchProcess, stopProcess, type LaunchedProcess } from './process-launcher';
import { ProgressDisplay } from './progress';
import { sendOffers } from './send-offers';
import { issueJobCertificates } from './job-certificates';
import { regulatorTls } from './regulator-tls';
import { tlsFlagArguments } from '../common/grpc/tls-flags';

export interface SubmitOptions {
  specPath: string;
  natsUrl: string;
  outRoot: string;
  host: string;
  /** The regulator's private signing key (PEM), from `shoal keys generate`. */
  keyPath: string;
  /** The federation's authority folder (`shoal pki init`), which issues the job's server certificates. */
  pkiDir: string;
}

export async function submitJob(options: SubmitOptions): Promise<number> {
  const spec = loadJobSpec(options.specPath);
  const key = loadSigningKey(options.keyPath, spec.requester);
  const outDir = resolve(options.outRoot, spec.jobId);
  mkdirSync(outDir, { recursive: true });
  const specCopy = join(outDir, 'job.yaml');
  copyFileSync(options.specPath, specCopy);
  const progress = new ProgressDisplay(spec.training.rounds);
  const natsTls = regulatorTls(options.pkiDir, spec.requester);
  const bus = await NatsBus.connect(options.natsUrl, `shoal-cli-${spec.jobId}`, natsTls);
  const events = bus.subscribe<JobEvent>(subjects.events(spec.jobId));
  let aggregator: LaunchedProcess | undefined;
  let coordinator: LaunchedProcess | undefined;
  const stopAll = async (): Promise<void> => {
    events.unsubscribe();
    await stopProcess(coordinator);
    await stopProcess(aggregator);
    await bus.close();
  };
  const interrupt = (): void => {
    progress.note('interrupted: stopping the job');
    void stopAll().finally(() => process.exit(EXIT_CODES.interrupted));
  };
  process.once('SIGINT', interrupt);
  try {
    const certificates = await issueJobCertificates(options.pkiDir, spec.jobId, outDir, options.host);
    aggregator = await launchProcess('aggregator', componentScript('aggregator'), ['--job-id', spec.jobId, '--host', options.host, '--port', '0', ...tlsFlagArguments(certificates.aggregator)], join(outDir, 'aggregator.log'));
    const aggregatorAddress = `${options.host}:${aggregator.port}`;
    coordinator = await launchProcess('coordinator', componentScript('coordinator'), ['--spec', specCopy, '--out', outDir, '--nats', options.natsUrl, '--aggregator', aggregatorAddress, '--host', options.host, '--port', '0', ...tlsFlagArguments(certificates.coordinator), '--nats-tls-cert', natsTls.cert, '--nats-tls-key', natsTls.key], join(outDir, 'coordinator.log'));
    const addresses = { coordinator: `${options.host}:${coordinator.port}`, aggregator: aggregatorAddress };
    const offers = sendOffers(bus, {
      spec,
      addresses,
      key,
      onPending: (orgId) => progress.note(`${orgId}: the offer waits for a person's approval there`),
      onDecision: (d) => progress.note(`${d.orgId} ${d.accepted ? 'joined' : 'declined'}${d.decidedBy ? ` (decided by ${d.decidedBy === 'person' ? 'a person' : 'its policy'})` : ''}${d.reason ? `: ${d.reason}` : ''}`),
    });
    let final: JobEvent | undefined;
    const watch = (async () => {
      for await (const { data } of events) {
        progress.onEvent(data);
        if (data.type === 'job.completed' || data.type === 'job.failed') {
          final = data;
          return;
        }
      }
    })();
    const exitCode = await Promise.race([coordinator.exited, watch.then(() => coordinator?.exited)]);
    await offers.catch(() => undefined);
    progress.stop();
    if (!final) progress.note(`the coordinator exited with code ${exitCode} without reporting an outcome; see ${join(outDir, 'coordinator.log')}`);
    return final?.type === 'job.completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
  } finally {
    process.removeListener('SIGINT', interrupt);
    await stopAll();
  }
}
