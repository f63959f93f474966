/**
 * `shoal federation …`: a demonstration federation's files in one folder (see
 * federation-init.ts). `init` makes everything in one process; `authority`,
 * `bank` and `certify` are its three steps, for docker-compose.yml, where
 * each runs in its own party's container.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../common/errors';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { certifyFederationBanks, federationExists, initFederation, initFederationAuthority, initFederationBank } from './federation-init';

function owner(value: string | undefined): { uid: number; gid: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^([0-9]+):([0-9]+)$/.exec(value);
  if (!match) throw new ConfigError(`--owner: expected uid:gid; found ${JSON.stringify(value)}`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

export function registerFederationCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const federation = program.command('federation').description('a demonstration federation, as docker-compose.yml runs it');

  federation
    .command('init')
    .requiredOption('--dir <dir>', 'the folder to fill (mounted at the same path in every container)')
    .option('--banks <n>', 'number of banks', wholeNumberFlag, 3)
    .option('--rounds <n>', 'training rounds of the job', wholeNumberFlag, 5)
    .option('--nats-host <host>', 'how agents and the regulator reach NATS', 'nats')
    .option('--regulator-host <host>', "the host name of the regulator's container", 'regulator')
    .option('--trainer-image <ref>', "the image the banks' sandboxes train in", 'shoal-trainer:dev')
    .option('--reuse', 'succeed without changes when the folder already holds a federation')
    .description("write the CA and every party's certificate, the NATS config, the regulator's key, each bank's data slice, policy and agent config, and the job spec, all in one process")
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

  federation
    .command('authority')
    .requiredOption('--dir <dir>', 'the federation folder')
    .option('--banks <n>', 'number of banks', wholeNumberFlag, 3)
    .option('--rounds <n>', 'training rounds of the job', wholeNumberFlag, 5)
    .option('--nats-host <host>', 'how agents and the regulator reach NATS', 'nats')
    .option('--regulator-host <host>', "the host name of the regulator's container", 'regulator')
    .option('--reuse', 'succeed without changes when the folder already holds a federation')
    .description("step 1, the regulator's: the CA and the regulator's certificate, its signing key (regulator.pub for the banks) and the job spec; no bank's folder")
    .action((o: { dir: string; banks: number; rounds: number; natsHost: string; regulatorHost: string; reuse?: boolean }) =>
      run(async () => {
        if (o.reuse && federationExists(o.dir)) {
          process.stdout.write(`using the federation already in ${o.dir}\n`);
          return EXIT_CODES.ok;
        }
        const layout = await initFederationAuthority({ dir: o.dir, banks: o.banks, rounds: o.rounds, natsHost: o.natsHost, regulatorHost: o.regulatorHost });
        process.stdout.write(`federation authority in ${layout.dir}: banks ${layout.banks.join(', ')} invited to ${layout.jobId}\n`);
        return EXIT_CODES.ok;
      }),
    );

  federation
    .command('bank')
    .requiredOption('--dir <dir>', 'the federation folder (job.yaml and regulator.pub are read from it)')
    .requiredOption('--org <id>', 'the bank')
    .option('--exchange <dir>', 'where the signing request goes and the certificate comes back (default: the bank’s own folder)')
    .option('--owner <uid:gid>', 'hand the bank’s folders to the user its agent runs as')
    .option('--nats-host <host>', 'how the agent reaches NATS', 'nats')
    .option('--trainer-image <ref>', "the image the bank's sandbox trains in", 'shoal-trainer:dev')
    .option('--reuse', 'succeed without changes when the bank’s folder already holds its agent config')
    .description("step 2, each bank's own: its key and signing request (the key never leaves <dir>/<org>), its data slice, policy and agent config")
    .action((o: { dir: string; org: string; exchange?: string; owner?: string; natsHost: string; trainerImage: string; reuse?: boolean }) =>
      run(async () => {
        if (o.reuse && existsSync(join(o.dir, o.org, 'agent.yaml'))) {
          process.stdout.write(`using ${o.org}'s folder already in ${o.dir}\n`);
          return EXIT_CODES.ok;
        }
        const { bankDir, csrPath } = await initFederationBank({ dir: o.dir, orgId: o.org, exchangeDir: o.exchange, owner: owner(o.owner), natsHost: o.natsHost, trainerImage: o.trainerImage });
        process.stdout.write(`${o.org} in ${bankDir}; its signing request for the CA: ${csrPath}\n`);
        return EXIT_CODES.ok;
      }),
    );

  federation
    .command('certify')
    .requiredOption('--dir <dir>', 'the federation folder (its CA in pki/)')
    .option('--exchange-root <dir>', "where each bank's exchange folder <bank>/ is (default: the banks' own folders)")
    .option('--nats-host <host>', 'the name the NATS server is reached by (its certificate)', 'nats')
    .option('--reuse', 'leave banks that already have a certificate there alone')
    .description("step 3, the CA's: a certificate for each invited bank's signing request, written next to the request, then the NATS config; the CA never sees a bank's key")
    .action((o: { dir: string; exchangeRoot?: string; natsHost: string; reuse?: boolean }) =>
      run(async () => {
        const certificates = await certifyFederationBanks({ dir: o.dir, exchangeRoot: o.exchangeRoot, natsHost: o.natsHost, reuse: o.reuse });
        process.stdout.write(`certificates: ${certificates.join(', ')}\n`);
        return EXIT_CODES.ok;
      }),
    );
}
