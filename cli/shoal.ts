#!/usr/bin/env node
/**
 * The command line: the regulator's `shoal job
 * submit|list|status|watch|logs|cancel|results` and `shoal keys generate`,
 * the moderator's `shoal agent …`, the web consoles' `shoal console …`, and
 * `shoal simulate`.
 * Exit codes: 0 done, 1 internal error, 2 invalid input, 3 job failed, 4 interrupted,
 * 5 an audit log failed verification.
 */
import { Command, Option } from 'commander';
import { ConfigError, errorMessage, hasCode } from '../common/errors';
import { createRootLogger } from '../common/logger';
import { EXIT_CODES, positiveNumberFlag, wholeNumberFlag } from '../common/process-lifecycle';
import { runSimulation, type SimulationReport } from './simulate/run-simulation';
import { submitJob } from './submit-job';
import { createLauncher } from './launchers/create-launcher';
import { registerAgentCommands } from './agent-commands';
import { DEFAULT_NATS, registerJobCommands } from './job-commands';
import { registerPkiCommands } from './pki-commands';
import { registerFederationCommands } from './federation-commands';
import { registerConsoleCommands } from './console-commands';
import { writeNewSigningKey } from '../common/signing';
import { basename } from 'node:path';

/** One line on the differential privacy a simulation ran with. */
function privacyLine(dp: SimulationReport['privacy']['differentialPrivacy']): string {
  if (!dp) return 'differential privacy off';
  return `differential privacy ${dp.mode}: ε spent ${dp.epsilonSpent.toFixed(3)} of ${dp.epsilonBudget} at δ = ${dp.delta} (noise multiplier ${dp.noiseMultiplier.toFixed(3)}, clip norm ${dp.clipNorm}, ${dp.roundsAccounted} rounds)`;
}


async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (err) {
    process.stderr.write(`shoal: ${errorMessage(err)}\n`);
    const invalidInput = ['CONFIG_INVALID', 'UNKNOWN_JOB', 'AUDIT_LOG_MISSING'].some((code) => hasCode(err, code));
    process.exitCode = invalidInput ? EXIT_CODES.config : EXIT_CODES.internal;
  }
  // Open handles (gRPC channels, timers) must not keep a finished command alive.
  setImmediate(() => process.exit(process.exitCode ?? 0));
}

const program = new Command('shoal').description('Federated training across organisations, under a regulator').showHelpAfterError();

const job = program.command('job').description("run and inspect jobs (the regulator's side)");

job
  .command('submit')
  .argument('<job.yaml>', 'the job spec')
  .description("validate a job spec, start the job's coordinator and aggregator, offer it to the invited organisations and follow it")
  .option('--nats <url>', 'NATS server URL', DEFAULT_NATS)
  .option('--out <dir>', 'where job outputs go (one folder per job)', 'shoal-jobs')
  .option('--host <host>', 'address the coordinator and aggregator bind and advertise', '127.0.0.1')
  .requiredOption('--key <file>', "the regulator's private signing key (from `shoal keys generate`)")
  .option('--pki <dir>', "the federation's certificate authority (from `shoal pki init`), which issues the job's server certificates", 'pki')
  .addOption(new Option('--launcher <kind>', "where the job's coordinator and aggregator run").choices(['process', 'docker']).default('process'))
  .action((specPath: string, o: { nats: string; out: string; host: string; key: string; pki: string; launcher: 'process' | 'docker' }) =>
    run(async () => submitJob({ specPath, natsUrl: o.nats, outRoot: o.out, host: o.host, keyPath: o.key, pkiDir: o.pki, launcher: await createLauncher(o.launcher) })),
  );

registerJobCommands(job, run);

program
  .command('keys')
  .description('signing keys (until the federation has certificates)')
  .command('generate')
  .argument('<name>', 'file name stem: writes <name>.key.pem (private, mode 0600) and <name>.pub')
  .description("create an Ed25519 key pair; organisations pin the public line in their policy's requesters")
  .action((name: string) =>
    run(async () => {
      const written = writeNewSigningKey(name, basename(name));
      process.stdout.write(`private key: ${written.privateKeyPath} (keep it secret)\npublic key:  ${written.publicKeyPath}\n${written.publicKey}\n`);
      return EXIT_CODES.ok;
    }),
  );

registerAgentCommands(program, run);
registerPkiCommands(program, run);
registerFederationCommands(program, run);
registerConsoleCommands(program, run);

program
  .command('simulate')
  .description('run a whole federation on this machine, then compare with centralized training')
  .option('--dataset <name>', 'credit-default or mnist', 'credit-default')
  .option('--orgs <n>', 'number of organisations (default: 5 banks, or 10 hospitals for mnist)', wholeNumberFlag)
  .option('--rounds <n>', "training rounds (default: the example job's)", wholeNumberFlag)
  .option('--out <dir>', 'output folder (report.json, job/, data/)', 'shoal-out')
  .option('--nats <url>', 'use this NATS server instead of the in-process bus')
  .option('--seed <n>', 'seed for the split, initial weights and shuffling', wholeNumberFlag, 42)
  .option('--log-level <level>', 'component logs on stderr (silent, info, debug)', 'silent')
  .addOption(new Option('--secure-agg <on|off>', 'secure aggregation: the aggregator learns only the sum').choices(['on', 'off']).default('on'))
  .option('--dp <epsilon>', 'differential privacy with this ε budget (δ = 1e-5, clip norm 1)', positiveNumberFlag)
  .addOption(new Option('--sandbox <kind>', 'where trainers run (default: docker when an engine and the trainer image are available, else process)').choices(['docker', 'process']))
  .addOption(new Option('--dp-mode <mode>', 'who adds the noise (default: distributed with secure aggregation, central without)').choices(['central', 'distributed']))
  .action((o: { dataset: string; orgs?: number; rounds?: number; out: string; nats?: string; seed: number; logLevel: string; secureAgg: 'on' | 'off'; dp?: number; dpMode?: 'central' | 'distributed'; sandbox?: 'docker' | 'process' }) =>
    run(async () => {
      const logger = createRootLogger({ component: 'simulate', level: o.logLevel });
      const secureAggregation = o.secureAgg === 'on';
      if (o.dpMode === 'distributed' && !secureAggregation) throw new ConfigError('--dp-mode distributed needs --secure-agg on: distributed noise protects only a masked sum');
      if (o.dpMode && o.dp === undefined) throw new ConfigError('--dp-mode needs --dp <epsilon>');
      const dp = o.dp === undefined ? undefined : { epsilon: o.dp, mode: o.dpMode ?? (secureAggregation ? 'distributed' as const : 'central' as const) };
      const report = await runSimulation({ dataset: o.dataset, orgs: o.orgs, rounds: o.rounds, outDir: o.out, natsUrl: o.nats, seed: o.seed, logger, showProgress: true, secureAggregation, dp, sandbox: o.sandbox ?? 'auto' });
      const f = report.federated;
      const c = report.centralized;
      const fmt = (v: number | null): string => (v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(4));
      process.stdout.write(
        [
          `dataset ${report.dataset}, ${report.orgs} organisations, ${report.rounds} rounds, backend ${report.backend}, ${report.sandbox} sandbox, job ${report.job.status}`,
          `federated:   auc ${fmt(f.auc)}  accuracy ${fmt(f.accuracy)}  loss ${fmt(f.loss)}`,
          `centralized: auc ${fmt(c.auc)}  accuracy ${fmt(c.accuracy)}  loss ${fmt(c.loss)}`,
          `privacy: secure aggregation ${report.privacy.secureAggregation.enabled ? 'on' : 'off'}; ${privacyLine(report.privacy.differentialPrivacy)}`,
          `audit: ${report.audit.filter((a) => a.intact && a.matchesReportedHead !== false).length} of ${report.audit.length} organisations' logs intact and reaching the heads in the job's report (${o.out}/orgs/<org>/audit.jsonl)`,
          ...(report.stoppedEarly ? [`stopped early: ${report.stoppedEarly}`] : []),
          `wall time ${report.wallSeconds.toFixed(1)} s; report: ${o.out}/report.json`,
        ].join('\n') + '\n',
      );
      return report.job.status === 'completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
    }),
  );

program.parseAsync().catch((err) => {
  process.stderr.write(`shoal: ${errorMessage(err)}\n`);
  process.exit(EXIT_CODES.internal);
});
