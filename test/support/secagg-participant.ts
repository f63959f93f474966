/**
 * A scripted secure-aggregation participant, run as its own process by the
 * integration tests: node dist/test/support/secagg-participant.js <job.json>
 *
 * It takes part in one secure collection through the agent's own
 * SecureContribution, printing one JSON line per completed step on stdout
 * ({"phase":"keys-advertised"}, …) and {"done":true} at the end. Between
 * the key phases and sending its input it pauses for trainingMs, as an
 * agent does while it trains, and then prints {"phase":"training"}. When the
 * step named by the job's dieAfter completes, it kills itself with SIGKILL
 * on the spot: no handler runs, no call is closed, the sockets just drop.
 * Exits 0 once the contribution was unmasked; 1, with {"code","message"} on
 * stderr, when the collection refused or failed it.
 */
import { AggregatorClient } from '../../aggregator';
import { channelCredentials } from '../../common/grpc/tls-credentials';
import { silentLogger } from '../../common/logger';
import { loadTlsMaterial } from '../../common/pki';
import { createMaskExpander, identityFromPem } from '../../common/secagg';
// Deep import on purpose: the package index loads TensorFlow.js (via the coordinator client), which would add
// most of a second to each participant's start-up, and the phase timeouts here are short.
import { SecureContribution } from '../../participant-agent/secure-contribution';
import { readParticipantJob, settingsFromJson, type ParticipantStep } from './secagg-participant-job';

function printLine(stream: NodeJS.WriteStream, value: Record<string, unknown>): void {
  // stdout and stderr are pipes here, which Node writes synchronously on Linux: the line is out before any SIGKILL.
  stream.write(`${JSON.stringify(value)}\n`);
}

async function main(jobPath: string | undefined): Promise<void> {
  if (!jobPath) throw new Error('usage: secagg-participant <job.json>');
  const job = readParticipantJob(jobPath);
  // Its own certificate, and only the aggregator of this job will do as the server.
  const credentials = channelCredentials(loadTlsMaterial(job.tls), { role: 'aggregator', orgId: job.jobId });
  const aggregator = new AggregatorClient(job.aggregatorAddress, 'participant-agent', credentials);
  const masks = createMaskExpander(0);
  const onPhase = (phase: ParticipantStep): void => {
    printLine(process.stdout, { phase });
    if (phase === job.dieAfter) process.kill(process.pid, 'SIGKILL');
  };
  try {
    const contribution = await SecureContribution.begin({
      aggregator,
      identity: identityFromPem(job.orgId, job.identityPem),
      caller: { jobId: job.jobId, collectionId: job.collectionId, orgId: job.orgId },
      settings: settingsFromJson(job.settings),
      minSurvivors: job.minSurvivors ?? 0,
      deadlineUnixMs: job.deadlineUnixMs,
      masks,
      logger: silentLogger(),
      // One collection per process: nothing to remember across collections.
      beforeMaskedInputSent: () => undefined,
      onPhase,
    });
    await new Promise((resolve) => setTimeout(resolve, job.trainingMs ?? 0));
    onPhase('training');
    await contribution.submit(Float64Array.from(job.vector), job.weight);
    printLine(process.stdout, { done: true });
  } finally {
    aggregator.close();
    await masks.close();
  }
}

main(process.argv[2]).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    const { code, message } = err as { code?: unknown; message?: unknown };
    printLine(process.stderr, { code: typeof code === 'string' ? code : 'UNEXPECTED', message: typeof message === 'string' ? message : String(err) });
    process.exitCode = 1;
  },
);
