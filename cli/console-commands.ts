/**
 * `shoal console serve`: the regulator's web console, and `shoal console
 * add-user`: who may log in to a console (the regulator's, or an
 * organisation's, whose agent config names the same kind of users file).
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ConfigError } from '../common/errors';
import { createRootLogger } from '../common/logger';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { addConsoleUser, ConsoleUsers, consoleTls, MIN_PASSWORD_LENGTH } from '../console';
import { print } from './console-output';
import { startRegulatorConsole } from './console/regulator-console';
import { DEFAULT_NATS } from './job-commands';
import { regulatorTls } from './regulator-tls';

type Run = (action: () => Promise<number>) => Promise<void>;

/** Everything on standard input, less the final line break: for scripts (`printf … | shoal console add-user`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    let typed = '';
    const onData = (data: Buffer): void => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          finish();
          return resolve(typed);
        }
        if (char === '\u0003') {
          finish();
          return reject(new ConfigError('interrupted'));
        }
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    input.on('data', onData);
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdin();
  if (!process.stdin.isTTY) throw new ConfigError('no terminal to ask for the password on: pipe it in with --password-stdin');
  const first = await promptHidden(`password (at least ${MIN_PASSWORD_LENGTH} characters): `);
  const again = await promptHidden('the same again: ');
  if (first !== again) throw new ConfigError('the two passwords differ; nothing was changed');
  return first;
}

interface ServeOptions {
  out: string;
  nats: string;
  pki: string;
  as: string;
  key: string;
  users: string;
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  jobHost: string;
  launcher: 'process' | 'docker';
  logLevel: string;
}

export function registerConsoleCommands(program: Command, run: Run): void {
  const consoleCommand = program.command('console').description('the web consoles: serve the regulator\'s, and manage who may log in to a console');

  consoleCommand
    .command('serve')
    .description("serve the regulator's console: jobs, live rounds and metric curves, who joined, privacy spent, reports, models, audit heads, and submitting jobs")
    .option('--out <dir>', 'where job outputs are (as for `shoal job submit --out`)', 'shoal-jobs')
    .option('--nats <url>', 'NATS server URL', DEFAULT_NATS)
    .option('--pki <dir>', "the federation's authority folder, holding the regulator's certificate", 'pki')
    .option('--as <regulator>', 'whose regulator certificate to connect with', 'regulator')
    .requiredOption('--key <file>', "the regulator's private signing key, for jobs submitted from the console")
    .requiredOption('--users <file>', 'who may log in (from `shoal console add-user`)')
    .option('--host <address>', 'address to serve on (loopback unless --tls-cert and --tls-key are given)', '127.0.0.1')
    .option('--port <n>', 'port to serve on (0: any free port)', wholeNumberFlag, 7080)
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this private key (PEM)')
    .option('--job-host <address>', "address submitted jobs' coordinators and aggregators bind and advertise", '127.0.0.1')
    .addOption(new Option('--launcher <kind>', "where submitted jobs' coordinators and aggregators run").choices(['process', 'docker']).default('process'))
    .option('--log-level <level>', 'console log level on stderr', 'info')
    .action((o: ServeOptions) =>
      run(async () => {
        if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new ConfigError('--tls-cert and --tls-key go together');
        if (!existsSync(o.key)) throw new ConfigError(`--key: ${o.key} does not exist; create it with \`shoal keys generate\``, { path: o.key });
        const users = ConsoleUsers.load(o.users);
        const tls = consoleTls(o.host, o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey } : undefined, '--host');
        const logger = createRootLogger({ component: 'shoal-console', level: o.logLevel });
        const server = await startRegulatorConsole({ outRoot: o.out, natsUrl: o.nats, natsTls: regulatorTls(o.pki, o.as), keyPath: o.key, pkiDir: o.pki, jobHost: o.jobHost, launcher: o.launcher, host: o.host, port: o.port, tls, users, logger });
        print(`regulator console: ${server.url} (users: ${users.names.join(', ')}); Ctrl-C stops it (jobs keep running)`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await server.close();
        return EXIT_CODES.ok;
      }),
    );

  consoleCommand
    .command('add-user')
    .argument('<name>', 'the user name to log in with; decisions made in an organisation console are recorded under it')
    .description('add a console user, or set their password (stored as a scrypt hash, file mode 0600)')
    .requiredOption('--users <file>', 'the users file (created when missing)')
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .action((name: string, o: { users: string; passwordStdin?: boolean }) =>
      run(async () => {
        const password = await readPassword(Boolean(o.passwordStdin));
        const { created } = addConsoleUser(o.users, name, password);
        print(`${created ? 'added' : 'changed the password of'} ${name} in ${o.users}`);
        return EXIT_CODES.ok;
      }),
    );
}
