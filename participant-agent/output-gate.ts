/**
 * Post-execution moderation: everything a trainer produced passes this gate
 * before anything leaves the organisation. The output is checked against the
 * declared model and the organisation's output policy; a violation withholds
 * the contribution (and enough of them withdraw the agent from the job); a
 * policy may also hold each round's output until a person releases it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { JobSpec } from '../common/job-spec';
import { sha256Hex } from '../common/signing';
import type { AgentAudit } from './agent-audit';
import { ContributionError } from './contribution-error';
import type { ModerationQueue } from './moderation-queue';
import { checkOutput, declaredMetrics, declaredTensors, type OutputPolicy, type TensorDeclaration } from './output-check';
import { readOutputFile } from './sandbox/output-dir';
import { TRAINER_FILES, type TrainerTask } from './trainer/trainer-contract';

/** result.json holds a few declared scalars and tensor names: far below this. */
const MAX_RESULT_BYTES = 1024 * 1024;

type Kind = TrainerTask['kind'];

export interface OutputGateDeps {
  spec: JobSpec;
  policy: OutputPolicy;
  queue: ModerationQueue;
  audit: AgentAudit;
  logger: Logger;
}

export interface PassedOutput {
  vector: Float32Array | Float64Array;
  weight: number;
}

/** Where in the job an output belongs, for the audit log and the release queue. */
export interface OutputPlace {
  round: number;
  collectionId: string;
  kind: Kind;
  deadlineUnixMs: number;
}

export class OutputGate {
  private violations = 0;
  private readonly declared = new Map<Kind, { tensors: TensorDeclaration[]; metrics: string[] }>();

  constructor(private readonly deps: OutputGateDeps) {}

  /** True once the job's output violations reached the policy's limit. */
  get withdrawn(): boolean {
    return this.violations >= this.deps.policy.maxViolations;
  }

  get violationCount(): number {
    return this.violations;
  }

  private declaredFor(kind: Kind): { tensors: TensorDeclaration[]; metrics: string[] } {
    let declared = this.declared.get(kind);
    if (!declared) {
      declared = { tensors: declaredTensors(this.deps.spec, kind), metrics: declaredMetrics(this.deps.spec, kind) };
      this.declared.set(kind, declared);
    }
    return declared;
  }

  /** The checked output of a finished trainer, or a ContributionError naming the violation. */
  inspect(place: OutputPlace, outputDir: string): PassedOutput {
    const { audit, spec } = this.deps;
    const where = { jobId: spec.jobId, round: place.round, collectionId: place.collectionId, kind: place.kind };
    const files = readdirSync(outputDir);
    let result: unknown;
    let vector: Float32Array | Float64Array = new Float32Array(0);
    try {
      // No-follow, plain files only, bounded: the trainer wrote these and may have planted a link, a fifo or a huge file.
      result = JSON.parse(readOutputFile(join(outputDir, TRAINER_FILES.result), MAX_RESULT_BYTES).toString('utf8'));
      const declaredElements = this.declaredFor(place.kind).tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
      const bytes = readOutputFile(join(outputDir, TRAINER_FILES.contribution), 8 * declaredElements);
      const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const dtype = (result as { dtype?: unknown })?.dtype;
      if (bytes.byteLength % (dtype === 'float64' ? 8 : 4) !== 0) throw new Error(`contribution.bin holds ${bytes.byteLength} bytes, not whole ${String(dtype)} values`);
      vector = dtype === 'float64' ? new Float64Array(copy) : new Float32Array(copy);
    } catch (err) {
      return this.violation(where, 'OUTPUT_MALFORMED', `the trainer's output cannot be read: ${(err as Error).message}`);
    }
    const check = checkOutput({ kind: place.kind, result, vector, files }, this.declaredFor(place.kind), this.deps.policy);
    if (!check.ok) return this.violation(where, check.violation, check.reason);
    audit.record('output.check', { ...where, passed: true, checks: check.checks, l2Norm: check.l2Norm, clipped: check.clipped, weight: check.weight, elements: check.vector.length });
    return { vector: check.vector, weight: check.weight };
  }

  private violation(where: Record<string, unknown>, code: string, reason: string): never {
    this.violations++;
    this.deps.audit.record('output.check', { ...where, passed: false, violation: code, reason, violations: this.violations, maxViolations: this.deps.policy.maxViolations });
    this.deps.logger.warn({ code, reason, violations: this.violations }, 'output withheld: it failed the organisation\'s output checks');
    throw new ContributionError(code, `withheld by the organisation's output checks: ${reason}`, "withheld by the organisation's output checks (the details are in its audit log)");
  }

  /** When the policy asks, holds the output until a person releases its round (or the round's deadline passes). */
  async release(place: OutputPlace, output: PassedOutput, signal: AbortSignal): Promise<void> {
    if (!this.deps.policy.requireRelease) return;
    const { queue, audit, spec, logger } = this.deps;
    let squares = 0;
    for (const v of output.vector) squares += v * v;
    const l2Norm = Math.sqrt(squares);
    queue.requestRelease({
      jobId: spec.jobId,
      round: place.round,
      collectionId: place.collectionId,
      kind: place.kind,
      requestedAt: new Date().toISOString(),
      deadline: new Date(place.deadlineUnixMs).toISOString(),
      summary: { elements: output.vector.length, weight: output.weight, l2Norm, sha256: sha256Hex(output.vector) },
    });
    logger.info({ round: place.round, kind: place.kind }, `output waits for a person: shoal agent release ${spec.jobId} ${place.round}`);
    const released = await queue.waitForRelease(spec.jobId, place.round, new Date(place.deadlineUnixMs), signal);
    if (released === 'expired' || released === 'aborted') {
      audit.record('output.release', { jobId: spec.jobId, round: place.round, collectionId: place.collectionId, released: false, why: released });
      throw new ContributionError('OUTPUT_NOT_RELEASED', released === 'expired' ? `no one released round ${place.round}'s output before its deadline` : 'the agent stopped while the output waited for release');
    }
    audit.record('output.release', { jobId: spec.jobId, round: place.round, collectionId: place.collectionId, released: true, reason: released.reason }, released.by);
  }
}
