/**
 * Entry point of one job's aggregator process. Usage:
 *   node dist/aggregator/main.js --job-id <id> --tls-ca ca.pem --tls-cert aggregator.pem --tls-key aggregator.key.pem [--tls-crl crl.pem]
 *     [--host 127.0.0.1] [--port 0] [--max-lifetime-seconds 86400] [--mask-workers 2]
 * Prints one JSON "ready" line with the bound port on stdout; logs go to stderr.
 */
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { errorMessage } from '../common/errors';
import { addTlsFlags, tlsMaterialFromFlags, type TlsFlagValues } from '../common/grpc/tls-flags';
import { createRootLogger } from '../common/logger';
import { EXIT_CODES, announceReady, onShutdownSignal, wholeNumberFlag } from '../common/process-lifecycle';
import { AggregatorServer } from './aggregator-server';

async function main(): Promise<void> {
  const options = addTlsFlags(new Command('shoal-aggregator'))
    .requiredOption('--job-id <id>', 'the job this aggregator serves')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind (0 picks a free one)', wholeNumberFlag, 0)
    .option('--max-lifetime-seconds <s>', 'exit after this long even if the job never ends', wholeNumberFlag, 86400)
    .option('--mask-workers <n>', 'worker threads that expand secure-aggregation masks (0: main thread)', wholeNumberFlag, Math.min(4, availableParallelism()))
    .parse()
    .opts<{ jobId: string; host: string; port: number; maxLifetimeSeconds: number; maskWorkers: number } & TlsFlagValues>();
  const logger = createRootLogger({ component: 'aggregator' }).child({ jobId: options.jobId });
  let tls;
  try {
    tls = tlsMaterialFromFlags(options);
  } catch (err) {
    process.stderr.write(`shoal-aggregator: ${errorMessage(err)}\n`);
    process.exit(EXIT_CODES.config);
  }
  const server = new AggregatorServer({ jobId: options.jobId, host: options.host, port: options.port, maskWorkers: options.maskWorkers, logger, tls });
  const port = await server.start();
  announceReady({ component: 'aggregator', port });
  onShutdownSignal(logger, () => server.stop());
  const lifetime = setTimeout(() => {
    logger.error({ seconds: options.maxLifetimeSeconds }, 'maximum lifetime reached; exiting');
    void server.stop().then(() => process.exit(EXIT_CODES.jobFailed));
  }, options.maxLifetimeSeconds * 1000);
  lifetime.unref();
  await server.jobEnded();
  logger.info('job ended; aggregator exiting');
  await server.stop();
  process.exit(EXIT_CODES.ok);
}

main().catch((err) => {
  process.stderr.write(`shoal-aggregator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_CODES.internal);
});
