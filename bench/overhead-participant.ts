#!/usr/bin/env node
/**
 * One participant of the round-overhead benchmark, as its own process:
 * `node dist/bench/overhead-participant.js <job.json>`.
 *
 * It joins the job and takes tasks exactly as the agent's job session does
 * (Join, then NextTask in a loop), but it never trains: a fit task answers
 * the global model plus a fixed perturbation, a statistics or evaluation task
 * a fixed vector of the right length. It submits through the aggregator
 * client (plain) or SecureContribution (secure aggregation), echoing the
 * task header's collectionId. It may run several participants (each its own
 * clients and certificate) when memory forces it. When the job finishes it writes what it saw
 * (when each task's header and last model chunk arrived, when its
 * contribution was accepted) to the result file and exits 0.
 */
import { readFileSync, writeFileSync } from 'node:fs';
// Direct imports, not the folders' index files: those also load the coordinator and the agent (TensorFlow.js,
// Docker), and a hundred participant processes would each carry that.
import { AggregatorClient } from '../aggregator/aggregator-client';
import { CoordinatorClient, type ReceivedTask } from '../coordinator/coordinator-client';
import { errorMessage } from '../common/errors';
import { buildEvaluationVector, type LabelType } from '../common/evaluation-metrics';
import { settingsFromWire } from '../common/grpc/secagg-codec';
import { channelCredentials } from '../common/grpc/tls-credentials';
import { silentLogger } from '../common/logger';
import { loadTlsMaterial, proveIdentityKey, type TlsFiles } from '../common/pki';
import { createMaskExpander, generateIdentity } from '../common/secagg';
import { SecureContribution } from '../participant-agent/secure-contribution';

/** What the benchmark hands each participant process. */
export interface OverheadParticipantJob {
  jobId: string;
  /** The participants this process runs, each with its own certificate: one, unless memory forces several. */
  participants: Array<{ orgId: string; tls: TlsFiles }>;
  coordinatorAddress: string;
  aggregatorAddress: string;
  labelType: LabelType;
  /** Where this process writes its OverheadParticipantResult[]. */
  resultPath: string;
}

/** One task as this participant saw it; times are Date.now() on the host (all processes share its clock). */
export interface TaskTiming {
  collectionId: string;
  kind: string;
  round: number;
  modelBytes: number;
  /** NextTask was called (the call was already waiting when the coordinator sent the task). */
  calledAt: number;
  /** The whole task, header and model, had arrived. */
  receivedAt: number;
  /** The aggregator accepted the contribution (secure: the unmasking phases answered too). */
  submittedAt: number;
}

export interface OverheadParticipantResult {
  orgId: string;
  outcome: string;
  tasks: TaskTiming[];
}

const TASK_WAIT_MS = 30_000;
/** Added to every fit value: small, fixed, and it keeps the quantised secure input in range. */
const PERTURBATION = 1e-3;
const WEIGHT = 100;

const KINDS: Record<string, string> = { TASK_KIND_FIT: 'fit', TASK_KIND_STATISTICS: 'statistics', TASK_KIND_EVALUATE: 'evaluate' };

/** A fixed contribution of the right length for the task: no data, no training. */
function contributionFor(task: ReceivedTask, labelType: LabelType): { vector: Float32Array | Float64Array; weight: number } {
  const kind = task.header.kind;
  if (kind === 'TASK_KIND_FIT') {
    const model = task.model ?? new Float32Array(0);
    const update = new Float32Array(model.length);
    for (let i = 0; i < model.length; i++) update[i] = model[i] + PERTURBATION;
    return { vector: update, weight: WEIGHT };
  }
  if (kind === 'TASK_KIND_EVALUATE') {
    return { vector: buildEvaluationVector({ labelType, labels: new Float32Array([0, 1]), predictions: new Float32Array([0.25, 0.75]) }), weight: 1 };
  }
  // Statistics: [count, Σx per column, Σx² per column]; the column count follows from the spec, which this
  // process does not read, so the benchmark's specs turn normalisation off and this branch never runs.
  throw new Error(`task kind ${kind} is not used by the round-overhead benchmark`);
}

async function run(job: OverheadParticipantJob, orgId: string, files: TlsFiles): Promise<OverheadParticipantResult> {
  const tls = loadTlsMaterial(files);
  const coordinator = new CoordinatorClient(job.coordinatorAddress, channelCredentials(tls, { role: 'coordinator', orgId: job.jobId }));
  const aggregator = new AggregatorClient(job.aggregatorAddress, 'participant-agent', channelCredentials(tls, { role: 'aggregator', orgId: job.jobId }));
  const identity = generateIdentity(orgId);
  const masks = createMaskExpander(0);
  const logger = silentLogger();
  const tasks: TaskTiming[] = [];
  let outcome = 'running';
  try {
    await coordinator.join(job.jobId, orgId, identity.publicKey, proveIdentityKey(orgId, identity.publicKey, tls), 60_000);
    for (;;) {
      const calledAt = Date.now();
      const task = await coordinator.nextTask(job.jobId, orgId, TASK_WAIT_MS);
      const receivedAt = Date.now();
      if (!task) continue;
      const { header } = task;
      if (header.kind === 'TASK_KIND_FINISHED') {
        outcome = header.jobOutcome || 'finished';
        break;
      }
      const produced = contributionFor(task, job.labelType);
      const caller = { jobId: job.jobId, collectionId: header.collectionId, orgId };
      const timeoutMs = Math.max(5_000, header.deadlineUnixMs - Date.now() + 5_000);
      if (header.secure) {
        const settings = settingsFromWire(header.secure, Object.keys(header.secure.identityKeys ?? {}).sort());
        const secure = await SecureContribution.begin({ aggregator, identity, caller, settings, minSurvivors: 0, deadlineUnixMs: header.deadlineUnixMs, masks, logger, beforeMaskedInputSent: () => undefined });
        await secure.submit(produced.vector, produced.weight);
      } else {
        await aggregator.submit({ ...caller, weight: produced.weight, vector: produced.vector }, timeoutMs);
      }
      tasks.push({ collectionId: header.collectionId, kind: KINDS[header.kind] ?? header.kind, round: header.round, modelBytes: task.model?.byteLength ?? 0, calledAt, receivedAt, submittedAt: Date.now() });
    }
  } catch (err) {
    outcome = `failed: ${errorMessage(err)}`;
  } finally {
    coordinator.close();
    aggregator.close();
    await masks.close();
  }
  return { orgId, outcome, tasks };
}

if (require.main === module) {
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as OverheadParticipantJob;
  Promise.all(job.participants.map(({ orgId, tls }) => run(job, orgId, tls)))
    .then((results) => {
      writeFileSync(job.resultPath, JSON.stringify(results));
      process.exit(results.some((result) => result.outcome.startsWith('failed')) ? 1 : 0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`overhead-participant: ${errorMessage(err)}\n`);
      process.exit(1);
    });
}
