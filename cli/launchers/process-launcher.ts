/**
 * The default launcher: the job's aggregator and coordinator as child
 * processes of the regulator's CLI, each bound to a free port. Both are
 * supervised: one that is killed or crashes is started again on its port,
 * the coordinator with --resume so it continues from its last checkpoint,
 * the aggregator empty (the coordinator retries the collection it lost).
 */
import { join } from 'node:path';
import { tlsFlagArguments } from '../../common/grpc/tls-flags';
import { componentScript } from './child-process';
import type { JobLaunch, LaunchedJob, Launcher } from './launcher';
import { SupervisedProcess } from './supervised-process';

/** Restarts allowed per process and job. */
const MAX_RESTARTS = 3;

export class ProcessLauncher implements Launcher {
  readonly kind = 'process';

  /** The CLI stops its children on completion, SIGINT and SIGTERM; a CLI killed outright leaves them to their own lifetime limits. */
  async sweep(): Promise<number> {
    return 0;
  }

  async launch(job: JobLaunch): Promise<LaunchedJob> {
    const { spec, outDir, advertiseHost: host } = job;
    let aggregator: SupervisedProcess | undefined;
    let coordinator: SupervisedProcess | undefined;
    const stop = async (): Promise<void> => {
      await coordinator?.stop();
      await aggregator?.stop();
    };
    try {
      aggregator = await SupervisedProcess.start({
        name: 'aggregator',
        script: componentScript('aggregator'),
        args: ({ port }) => ['--job-id', spec.jobId, '--host', host, '--port', String(port), ...tlsFlagArguments(job.certificates.aggregator)],
        logFile: join(outDir, 'aggregator.log'),
        maxRestarts: MAX_RESTARTS,
        onRestart: job.onNote,
      });
      const aggregatorAddress = `${host}:${aggregator.port}`;
      coordinator = await SupervisedProcess.start({
        name: 'coordinator',
        script: componentScript('coordinator'),
        args: ({ port, restart }) => [
          ...['--spec', job.specPath, '--out', outDir, '--nats', job.natsUrl, '--aggregator', aggregatorAddress, '--host', host, '--port', String(port)],
          ...tlsFlagArguments(job.certificates.coordinator),
          ...['--nats-tls-cert', job.natsTls.cert, '--nats-tls-key', job.natsTls.key],
          ...(restart ? ['--resume'] : []),
        ],
        logFile: join(outDir, 'coordinator.log'),
        maxRestarts: MAX_RESTARTS,
        onRestart: job.onNote,
      });
      return { addresses: { coordinator: `${host}:${coordinator.port}`, aggregator: aggregatorAddress }, coordinatorExited: coordinator.exited, stop };
    } catch (err) {
      await stop();
      throw err;
    }
  }
}
