/**
 * Fixtures for the task-check tests: the credit-default example job with one
 * setting changed at a time, and the tasks an honest coordinator sends for
 * it. Those come from the coordinator's own round state machine (JobRunner,
 * its strategies, its privacy budget and cohort selection) driving a
 * recording stand-in for the aggregator, and pass through the proto
 * encoding, so each header is exactly what an agent would decode.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import type { AggregatorClient, CollectedAggregate } from '../../aggregator';
import { evaluationVectorLength } from '../../common/evaluation-metrics';
import { shoalProto } from '../../common/grpc/proto';
import { compileJobSpec, type JobSpec } from '../../common/job-spec';
import { selectCohort } from '../../coordinator/cohort';
import type { JobEventPublisher } from '../../coordinator/job-events';
import { JobRunner } from '../../coordinator/job-runner';
import { ParticipantRegistry } from '../../coordinator/participant-registry';
import { PrivacyBudget } from '../../coordinator/privacy-budget';
import { createStrategy } from '../../coordinator/strategies';
import type { TaskHeader__Output } from '../../proto/generated/shoal/v1/TaskHeader';
import type { TaskMessage__Output } from '../../proto/generated/shoal/v1/TaskMessage';
import { countParameters } from '../output-check';
import type { CountedKind } from './task-counter';

const example = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;

/** The example job (5 banks, 3 rounds) with top-level settings replaced. */
export function jobSpec(overrides: Record<string, unknown> = {}): JobSpec {
  return compileJobSpec({ ...example, training: { ...(example.training as object), rounds: 3 }, ...overrides });
}

export interface HonestTask {
  orgId: string;
  kind: CountedKind;
  header: TaskHeader__Output;
}

const KINDS: Record<string, CountedKind> = { TASK_KIND_STATISTICS: 'statistics', TASK_KIND_FIT: 'fit', TASK_KIND_EVALUATE: 'evaluate' };

/** A header as the agent's coordinator client decodes it: through the NextTask response's own proto encoding. */
export function overTheWire(header: object): TaskHeader__Output {
  const method = shoalProto().coordinator.shoal.v1.Coordinator.service.NextTask;
  const message = method.responseDeserialize(method.responseSerialize({ header })) as TaskMessage__Output;
  return message.header as TaskHeader__Output;
}

/**
 * Every task an honest coordinator sends in a whole run of the job, in
 * order. `drops(round)` names the organisations that miss that round's fit
 * collection (and are dropped from the job, as maxMissedRounds 1 says), so
 * later rosters shrink.
 */
export async function honestTasks(spec: JobSpec, drops: (round: number) => string[] = () => []): Promise<HonestTask[]> {
  const registry = new ParticipantRegistry(spec.invitedOrgs);
  for (const org of spec.invitedOrgs) registry.admit(org, randomBytes(32));
  registry.closeAdmission();
  const opened = new Map<string, { elementCount: number; expected: string[]; round: number; kind: string }>();
  const aggregator = {
    async openCollection(request: { collectionId: string; elementCount: number; expectedOrgs: string[] }): Promise<void> {
      const [kind, round] = request.collectionId.split('-');
      opened.set(request.collectionId, { elementCount: request.elementCount, expected: request.expectedOrgs, kind, round: Number(round) });
    },
    async collect(_jobId: string, collectionId: string): Promise<CollectedAggregate> {
      const collection = opened.get(collectionId);
      if (!collection) throw new Error(`collection ${collectionId} was never opened`);
      const gone = collection.kind === 'fit' ? drops(collection.round) : [];
      const contributors = collection.expected.filter((org) => !gone.includes(org));
      return { contributors, missing: gone.map((org) => `${org}: no contribution`), totalWeight: contributors.length, weightedSum: sums(spec, collection.kind, collection.elementCount) };
    },
    async markDropped(): Promise<void> {},
  } as unknown as AggregatorClient;
  const runner = new JobRunner({
    spec,
    registry,
    aggregator,
    strategy: createStrategy(spec.strategy, spec.training),
    events: { publish: () => undefined } as unknown as JobEventPublisher,
    logger: pino({ level: 'silent' }),
    starts: 1,
    initialWeights: { vector: new Float32Array(countParameters(spec.model)), tensors: [] },
    changes: { next: () => new Promise(() => undefined) },
    declined: new Map(),
  });
  const dp = spec.differentialPrivacy;
  if (dp) {
    // As the coordinator plans it (coordinator.ts planPrivacy).
    const admitted = registry.active();
    const cohort = selectCohort(admitted, spec.fractionPerRound, spec.minParticipants, spec.seed, 1);
    runner.usePrivacy(new PrivacyBudget({ ...spec, differentialPrivacy: dp }, cohort.length), dp);
  }
  const tasks: HonestTask[] = [];
  const drain = async (): Promise<void> => {
    for (const orgId of spec.invitedOrgs) {
      const mailbox = registry.mailbox(orgId);
      while (mailbox.pending > 0) {
        const task = await mailbox.take(new AbortController().signal);
        if (task) tasks.push({ orgId, kind: KINDS[String(task.header.kind)], header: overTheWire(task.header) });
      }
    }
  };
  await runner.preprocess();
  await drain();
  for (let round = 1; round <= spec.training.rounds; round++) {
    await runner.runRound(round);
    await drain();
  }
  return tasks;
}

/** A plausible sum for each kind: rows and moments for statistics, examples and sums for evaluation, zeros for updates. */
function sums(spec: JobSpec, kind: string, elementCount: number): Float64Array {
  const vector = new Float64Array(kind === 'evaluate' ? evaluationVectorLength(spec.dataset.labelType) : elementCount);
  if (kind === 'statistics') {
    const columns = spec.dataset.features.length;
    vector[0] = 100;
    for (let c = 0; c < columns; c++) vector[1 + columns + c] = 100 * (c + 1);
  }
  if (kind === 'evaluate') vector.set([100, 40, 80]);
  return vector;
}
