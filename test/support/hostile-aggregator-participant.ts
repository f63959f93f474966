/**
 * A participant of the hostile-aggregator suite, run as its own process:
 * node dist/test/support/hostile-aggregator-participant.js <job.json>
 *
 * It takes part in one secure collection through the agent's own
 * SecureContribution, exactly as a job session does, including the
 * contribution ledger: when the job names a ledger, the masked input is
 * recorded in <workDir>/contributions/<jobId>.json (the agent's file, opened
 * from disk at start as an agent does after a restart) before a byte of it
 * leaves, so a second collection of the same round and kind is refused.
 *
 * With `corruptRevealedShares` it plays a colluding participant that lies
 * in the unmasking: every share it reveals is changed by one bit on its way
 * to the aggregator (the agent's code is untouched; only the wire is).
 *
 * Prints one JSON line per completed step on stdout and {"done":true} at
 * the end; exits 1 with {"code","message"} on stderr when it refused or the
 * collection failed it.
 */
import { AggregatorClient } from '../../aggregator';
import { channelCredentials } from '../../common/grpc/tls-credentials';
import { silentLogger } from '../../common/logger';
import { loadTlsMaterial } from '../../common/pki';
import { createMaskExpander, identityFromPem, type UnmaskResponse } from '../../common/secagg';
import { isShareValue } from '../../common/secagg/shamir';
// Deep imports on purpose: the package index loads TensorFlow.js, which would slow every participant's start.
import { ContributionLedger } from '../../participant-agent/contribution-ledger';
import { SecureContribution } from '../../participant-agent/secure-contribution';
import { readHostileParticipantJob } from './hostile-aggregator-script';
import { settingsFromJson } from './secagg-participant-job';

function printLine(stream: NodeJS.WriteStream, value: Record<string, unknown>): void {
  stream.write(`${JSON.stringify(value)}\n`);
}

/** One bit of each revealed share flipped, kept inside the field so the aggregator's shape checks pass. */
function corrupted(response: UnmaskResponse): UnmaskResponse {
  return {
    orgId: response.orgId,
    shares: response.shares.map((share) => {
      const y = new Uint8Array(share.y);
      y[y.length - 1] ^= 1;
      return { ...share, y: isShareValue(y) ? y : share.y };
    }),
  };
}

/** The aggregator client, with Unmask lying when the job says so. */
function wire(aggregator: AggregatorClient, lie: boolean): AggregatorClient {
  if (!lie) return aggregator;
  return new Proxy(aggregator, {
    get(target, property, receiver) {
      if (property === 'unmask') return (caller: Parameters<AggregatorClient['unmask']>[0], response: UnmaskResponse, timeoutMs: number) => target.unmask(caller, corrupted(response), timeoutMs);
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function main(jobPath: string | undefined): Promise<void> {
  if (!jobPath) throw new Error('usage: hostile-aggregator-participant <job.json>');
  const job = readHostileParticipantJob(jobPath);
  const credentials = channelCredentials(loadTlsMaterial(job.tls), { role: 'aggregator', orgId: job.jobId });
  const client = new AggregatorClient(job.aggregatorAddress, 'participant-agent', credentials);
  const masks = createMaskExpander(0);
  const ledger = job.ledger ? ContributionLedger.open(job.ledger.workDir, job.jobId) : undefined;
  const onPhase = (phase: string): void => printLine(process.stdout, { phase });
  try {
    const contribution = await SecureContribution.begin({
      aggregator: wire(client, job.corruptRevealedShares === true),
      identity: identityFromPem(job.orgId, job.identityPem),
      caller: { jobId: job.jobId, collectionId: job.collectionId, orgId: job.orgId },
      settings: settingsFromJson(job.settings),
      minSurvivors: job.minSurvivors ?? 0,
      deadlineUnixMs: job.deadlineUnixMs,
      masks,
      logger: silentLogger(),
      // The job session's own hook (participant-agent/job-session.ts): on disk before the masked input leaves.
      beforeMaskedInputSent: () => ledger?.recordContribution(job.ledger?.round ?? 0, job.ledger?.kind ?? 'fit', job.collectionId),
      onPhase,
    });
    onPhase('training');
    await contribution.submit(Float64Array.from(job.vector), job.weight);
    printLine(process.stdout, { done: true });
  } finally {
    client.close();
    await masks.close();
  }
}

main(process.argv[2]).then(
  () => process.exit(0),
  (err: unknown) => {
    const { code, message } = err as { code?: unknown; message?: unknown };
    printLine(process.stderr, { code: typeof code === 'string' ? code : 'UNEXPECTED', message: typeof message === 'string' ? message : String(err) });
    // The held-open consistency call would otherwise keep the process alive until its deadline.
    process.exit(1);
  },
);
