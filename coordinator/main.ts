/**
 * Entry point of one job's coordinator process. Usage:
 *   node dist/coordinator/main.js --spec job.yaml --out <dir> --nats <url> --aggregator <host:port>
 *     --tls-ca ca.pem --tls-cert coordinator.pem --tls-key coordinator.key.pem [--tls-crl crl.pem] [--host 127.0.0.1] [--port 0] [--resume]
 * Prints one JSON "ready" line with the bound port on stdout, runs the job,
 * and exits 0 when it completed, 3 when it failed (the report says why).
 */
import { Command } from 'commander';
import { NatsBus } from '../common/bus/nats-bus';
import { hasCode, errorMessage } from '../common/errors';
import { addTlsFlags, tlsMaterialFromFlags, type TlsFlagValues } from '../common/grpc/tls-flags';
import { loadJobSpec } from '../common/job-spec';
import { createRootLogger } from '../common/logger';
import { EXIT_CODES, announceReady, onShutdownSignal, wholeNumberFlag } from '../common/process-lifecycle';
import { Coordinator } from './coordinator';

async function main(): Promise<number> {
  const options = addTlsFlags(new Command('shoal-coordinator'))
    .requiredOption('--spec <file>', 'the job spec (YAML)')
    .requiredOption('--out <dir>', 'the job output directory')
    .requiredOption('--nats <url>', 'NATS server URL')
    .requiredOption('--aggregator <address>', "the job's aggregator (host:port)")
    .requiredOption('--nats-tls-cert <file>', 'the certificate this coordinator connects to NATS with (its regulator\'s)')
    .requiredOption('--nats-tls-key <file>', 'its private key')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind (0 picks a free one)', wholeNumberFlag, 0)
    .option('--resume', 'started again after a crash: resume from the newest checkpoint in --out', false)
    .parse()
    .opts<{ spec: string; out: string; nats: string; aggregator: string; host: string; port: number; natsTlsCert: string; natsTlsKey: string; resume: boolean } & TlsFlagValues>();
  let spec;
  let tls;
  try {
    spec = loadJobSpec(options.spec);
    tls = tlsMaterialFromFlags(options);
  } catch (err) {
    process.stderr.write(`shoal-coordinator: ${errorMessage(err)}\n`);
    return hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal;
  }
  const logger = createRootLogger({ component: 'coordinator' }).child({ jobId: spec.jobId });
  const bus = await NatsBus.connect(options.nats, `coordinator-${spec.jobId}`, { ca: options.tlsCa, cert: options.natsTlsCert, key: options.natsTlsKey });
  const coordinator = new Coordinator({ spec, outDir: options.out, host: options.host, port: options.port, bus, aggregatorAddress: options.aggregator, logger, tls, resume: options.resume });
  const port = await coordinator.start();
  announceReady({ component: 'coordinator', port });
  onShutdownSignal(logger, async () => {
    await coordinator.stop();
    await bus.close();
  });
  const report = await coordinator.run();
  await coordinator.stop();
  await bus.close();
  return report.status === 'completed' ? EXIT_CODES.ok : EXIT_CODES.jobFailed;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`shoal-coordinator: ${errorMessage(err)}\n`);
    process.exit(EXIT_CODES.internal);
  },
);
