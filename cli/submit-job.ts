/**
 * `shoal job submit job.yaml`: validates the spec, starts the job's
 * aggregator and coordinator (with a launcher), offers the job to the
 * invited organisations over NATS, shows progress, and says where the
 * model and the report are.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NatsBus } from '../common/bus/nats-bus';
import { subjects } from '../common/bus/subjects';
import { loadJobSpec } from '../common/job-spec';
import { loadSigningKey } from '../common/signing';
import { EXIT_CODES } from '../common/process-lifecycle';
import type { JobEvent } from '../coordinator';
import type { Launcher, LaunchedJob } from './launchers/launcher';
import { ProgressDisplay } from './progress';
import { sendOffers } from './send-offers';
import { issueJobCertificates } from './job-certificates';
import { regulatorTls } from './regulator-tls';

export interface SubmitOptions {
  specPath: string;
  natsUrl: string;
  outRoot: string;
  host: string;
  /** The regulator's private signing key (PEM), from `shoal keys generate`. */
  keyPath: string;
  /** The federation's authority folder (`shoal pki init`), which issues the job's server certificates. */
  pkiDir: string;
  /** Where the job's coordinator and aggregator run. */
  launcher: Launcher;
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
  let launched: LaunchedJob | undefined;
  const stopAll = async (): Promise<void> => {
    events.unsubscribe();
    await launched?.stop();
    await bus.close();
  };
  const interrupt = (): void => {
    progress.note('interrupted: stopping the job');
    void stopAll().finally(() => process.exit(EXIT_CODES.interrupted));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const certificates = await issueJobCertificates(options.pkiDir, spec.jobId, outDir, options.host);
    const swept = await options.launcher.sweep();
    if (swept > 0) progress.note(`removed ${swept} container(s) or network(s) an interrupted job left behind`);
    launched = await options.launcher.launch({ spec, specPath: specCopy, outDir, natsUrl: options.natsUrl, advertiseHost: options.host, certificates, natsTls, onNote: (text) => progress.note(text) });
    const { addresses } = launched;
    const coordinatorExited = launched.coordinatorExited;
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
    const exitCode = await Promise.race([coordinatorExited, watch.then(() => coordinatorExited)]);
    await offers.catch(() => undefined);
    progress.stop();
    if (final) return final.type === 'job.completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
    // The outcome event can be lost (the bus was down as it went out); the report on disk says it too.
    const status = reportStatus(join(outDir, 'report.json'));
    if (status) {
      progress.note(`job ${status} (read from ${join(outDir, 'report.json')}; its final event did not arrive)`);
      return status === 'completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
    }
    progress.note(`the coordinator exited with code ${exitCode} without reporting an outcome; see ${join(outDir, 'coordinator.log')}`);
    return EXIT_CODES.jobFailed;
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
    await stopAll();
  }
}

/** The status a finished job's report gives, when the report exists and says it; the launcher may run elsewhere (Docker), then it is not here. */
function reportStatus(path: string): 'completed' | 'failed' | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const status = (JSON.parse(readFileSync(path, 'utf8')) as { status?: unknown }).status;
    return status === 'completed' || status === 'failed' ? status : undefined;
  } catch {
    return undefined;
  }
}
