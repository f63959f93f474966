/**
 * The regulator's `shoal job list|watch|logs|cancel|results` (submit and
 * status are registered in shoal.ts). Exit codes: 0 done; 2 the job id is
 * invalid or unknown, the job is not running (watch, cancel), or it has no
 * logs or report yet; 3 the job watched failed; 1 otherwise.
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ConfigError, hasCode } from '../common/errors';
import type { TlsFiles } from '../common/pki';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { cancelJob } from './job-cancel';
import { formatStatus, jobStatus } from './job-status';
import { formatJobList, listJobs } from './job-list';
import { readJobLogs, type LogComponent } from './job-logs';
import { formatJobResults, loadJobResults } from './job-results';
import { watchJob } from './job-watch';
import { regulatorTls } from './regulator-tls';
import { print } from './console-output';

export const DEFAULT_NATS = process.env.SHOAL_NATS_URL ?? 'nats://127.0.0.1:4222';
const DEFAULT_OUT = 'shoal-jobs';

/** Errors that mean "this job cannot be acted on as asked", not a fault: the message says why; exit 2. */
const REFUSALS = ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'JOB_NOT_RUNNING', 'CANCEL_REFUSED', 'NO_REPORT', 'LOG_MISSING'];

async function refusing(action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (err) {
    if (!REFUSALS.some((code) => hasCode(err, code))) throw err;
    process.stderr.write(`shoal: ${(err as Error).message}\n`);
    return EXIT_CODES.config;
  }
}

interface NatsFlags {
  nats: string;
  pki: string;
  as: string;
}

/** The regulator's certificate from the authority folder: the federation's NATS accepts nothing else, and nothing is sent in the clear. */
function natsTls(o: NatsFlags): TlsFiles {
  if (existsSync(o.pki)) return regulatorTls(o.pki, o.as);
  throw new ConfigError(`--pki: ${o.pki} does not exist; it is the federation's authority folder (from \`shoal pki init\`) holding the regulator's certificate`, { path: o.pki });
}

function natsOptions(command: Command): Command {
  return command
    .option('--nats <url>', 'NATS server URL', DEFAULT_NATS)
    .option('--pki <dir>', "the federation's authority folder, holding the regulator's certificate", 'pki')
    .option('--as <regulator>', 'whose regulator certificate to connect with', 'regulator');
}

export function registerJobCommands(job: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  natsOptions(
    job
      .command('status')
      .argument('<job-id>', 'the job id from its spec')
      .description("show a job's state: live from its coordinator, else from its status file"),
  )
    .option('--out <dir>', 'where job outputs go', DEFAULT_OUT)
    .action((jobId: string, o: NatsFlags & { out: string }) =>
      run(async () => {
        // Without the regulator's certificate the status file answers: never a NATS connection in the clear.
        const { status, source } = await jobStatus(jobId, { natsUrl: o.nats, outRoot: o.out, tls: existsSync(o.pki) ? regulatorTls(o.pki, o.as) : undefined });
        print(formatStatus(status, source));
        return EXIT_CODES.ok;
      }),
    );

  job
    .command('list')
    .description('every job under the output folder, newest first: state, round, participants, last update')
    .option('--out <dir>', 'where job outputs go', DEFAULT_OUT)
    .action((o: { out: string }) =>
      run(async () => {
        print(formatJobList(listJobs(o.out), o.out));
        return EXIT_CODES.ok;
      }),
    );

  natsOptions(
    job
      .command('watch')
      .argument('<job-id>', 'the job id from its spec')
      .description("follow a running job's progress until it ends; exits 0 when it completed, 3 when it failed"),
  )
    .option('--out <dir>', 'where job outputs go (for a job that has already ended)', DEFAULT_OUT)
    .action((jobId: string, o: NatsFlags & { out: string }, command: Command) =>
      run(() => refusing(() => watchJob({ jobId, natsUrl: o.nats, outRoot: o.out, tls: natsTls(o) }))),
    );

  job
    .command('logs')
    .argument('<job-id>', 'the job id from its spec')
    .description("print the job's coordinator and aggregator logs from its folder, one readable line per entry")
    .option('--out <dir>', 'where job outputs go', DEFAULT_OUT)
    .addOption(new Option('--component <name>', 'whose log').choices(['coordinator', 'aggregator', 'all']).default('all'))
    .option('--tail <n>', 'only the last n lines', wholeNumberFlag)
    .action((jobId: string, o: { out: string; component: LogComponent | 'all'; tail?: number }) =>
      run(() =>
        refusing(async () => {
          const lines = readJobLogs(o.out, jobId, { component: o.component, tail: o.tail });
          if (lines.length > 0) print(lines.join('\n'));
          return EXIT_CODES.ok;
        }),
      ),
    );

  natsOptions(
    job
      .command('cancel')
      .argument('<job-id>', 'the job id from its spec')
      .description("ask a running job's coordinator to stop it: the job fails with JOB_CANCELLED, still writes its report and tells the participants"),
  )
    .option('--reason <text>', 'why; recorded in the job\'s error and report')
    .action((jobId: string, o: NatsFlags & { reason?: string }, command: Command) =>
      run(() =>
        refusing(async () => {
          await cancelJob({ jobId, natsUrl: o.nats, tls: natsTls(o), reason: o.reason });
          print(`job ${jobId}: its coordinator accepted the cancellation; the job ends as failed (JOB_CANCELLED) once it has written its report (follow it with \`shoal job watch ${jobId}\`)`);
          return EXIT_CODES.ok;
        }),
      ),
    );

  job
    .command('results')
    .argument('<job-id>', 'the job id from its spec')
    .description("summarise a finished job's report: outcome, rounds, metrics, participants, privacy, model, audit records")
    .option('--out <dir>', 'where job outputs go', DEFAULT_OUT)
    .option('--json', 'print report.json as it is')
    .action((jobId: string, o: { out: string; json?: boolean }) =>
      run(() =>
        refusing(async () => {
          const results = loadJobResults(o.out, jobId);
          print(o.json ? results.text.trimEnd() : formatJobResults(results.report, results.reportPath));
          return EXIT_CODES.ok;
        }),
      ),
    );
}
