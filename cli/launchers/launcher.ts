/**
 * Starting and removing one job's coordinator and aggregator. Each launcher
 * puts the pair somewhere else (child processes of the CLI, or Docker
 * containers on a network of their own); the rest of the CLI only sees the
 * addresses participants dial and when the coordinator is done.
 */
import type { JobSpec } from '../../common/job-spec';
import type { TlsFiles } from '../../common/pki';
import type { JobCertificates } from '../job-certificates';

export interface JobLaunch {
  spec: JobSpec;
  /** The spec as submitted, copied into the job's folder. */
  specPath: string;
  /** The job's output folder: logs, report, model, its TLS files. */
  outDir: string;
  natsUrl: string;
  /** The address participants dial (and the name the servers' certificates carry). */
  advertiseHost: string;
  certificates: JobCertificates;
  /** The regulator's certificate, with which the coordinator connects to NATS. */
  natsTls: TlsFiles;
  /** Told what the launcher does on its own, such as restarting a crashed process. */
  onNote?: (text: string) => void;
}

export interface LaunchedJob {
  addresses: { coordinator: string; aggregator: string };
  /** Resolves with the coordinator's exit code (0 completed, 3 failed) once it has ended. */
  coordinatorExited: Promise<number | null>;
  /** Stops whatever still runs and removes it. */
  stop(): Promise<void>;
}

export interface Launcher {
  readonly kind: 'process' | 'docker';
  /** Removes what an earlier, interrupted run of this launcher left behind; returns how many. */
  sweep(): Promise<number>;
  launch(job: JobLaunch): Promise<LaunchedJob>;
}
