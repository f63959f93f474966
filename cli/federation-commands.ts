/** `shoal federation init`: a demonstration federation's files in one folder (see federation-init.ts). */
import type { Command } from 'commander';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { federationExists, initFederation } from './federation-init';

export function registerFederationCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('federation')
    .description('a demonstration federation, as docker-compose.yml runs it')
    .command('init')
    .requiredOption('--dir <dir>', 'the folder to fill (mounted at the same path in every container)')
    .option('--banks <n>', 'number of banks', wholeNumberFlag, 3)
    .option('--rounds <n>', 'training rounds of the job', wholeNumberFlag, 5)
    .option('--nats-host <host>', 'how agents and the regulator reach NATS', 'nats')
    .option('--regulator-host <host>', "the host name of the regulator's container", 'regulator')
    .option('--trainer-image <ref>', "the image the banks' sandboxes train in", 'shoal-trainer:dev')
    .option('--reuse', 'succeed without changes when the folder already holds a federation')
    .description("write the CA and every party's certificate, the NATS config, the regulator's key, each bank's data slice, policy and agent config, and the job spec")
    .action((o: { dir: string; banks: number; rounds: number; natsHost: string; regulatorHost: string; trainerImage: string; reuse?: boolean }) =>
      run(async () => {
        if (o.reuse && federationExists(o.dir)) {
          process.stdout.write(`using the federation already in ${o.dir}\n`);
          return EXIT_CODES.ok;
        }
        const layout = await initFederation({ dir: o.dir, banks: o.banks, rounds: o.rounds, natsHost: o.natsHost, regulatorHost: o.regulatorHost, trainerImage: o.trainerImage });
        process.stdout.write(`federation in ${layout.dir}: banks ${layout.banks.join(', ')}; job ${layout.jobId} (${layout.jobSpec})\nthe regulator runs: shoal ${layout.submitArgs.join(' ')}\n`);
        return EXIT_CODES.ok;
      }),
    );
}
