/**
 * Every task from the coordinator is checked against the job the
 * organisation accepted before anything runs: its kind and round, how often
 * that round was asked for, its deadline, its protections, its fit settings,
 * the normalisation and model it carries, its roster and every
 * secure-aggregation setting. The coordinator may be hostile; whatever
 * differs is refused with a stable code and the field that differs.
 */
import { shownValue } from '../../common/ids';
import { secureCollectionOf } from '../../common/round-plan';
import type { TaskHeader__Output } from '../../proto/generated/shoal/v1/TaskHeader';
import { approvedFit, type ApprovedFit, type ApprovedJob } from './approved-job';
import { checkRoster } from './check-roster';
import type { CountedKind, TaskCounter } from './task-counter';
import { notApproved, type TaskRefusal } from './task-refusal';

/** Clock skew allowed between the coordinator's machine and this one when judging a deadline. */
export const DEADLINE_MARGIN_MS = 60_000;
/** Relative tolerance on the distributed noise std (the two sides compute it with the same function). */
const NOISE_TOLERANCE = 1e-9;

type CheckedHeader = Pick<TaskHeader__Output, 'round' | 'collectionId' | 'fit' | 'normalization' | 'model' | 'deadlineUnixMs' | 'secure'>;

/** The refusal of the task, or null when it asks exactly what the organisation accepted. Counts the delivery. */
export function checkTask(job: ApprovedJob, kind: CountedKind, header: CheckedHeader, counter: TaskCounter, now = Date.now()): TaskRefusal | null {
  return checkKindAndRound(job, kind, header.round)
    ?? counter.count(kind, header.round, header.collectionId)
    ?? checkDeadline(job, header.deadlineUnixMs, now)
    ?? checkProtections(job, header)
    ?? (header.secure ? checkRoster(job, rosterOf(header)) : null)
    ?? checkFit(job, kind, header)
    ?? checkNormalization(job, kind, header)
    ?? checkModel(job, kind, header)
    ?? checkSecureSettings(job, kind, header);
}

/** The roster a secure task names: the organisations whose identity keys it carries. */
export function rosterOf(header: Pick<TaskHeader__Output, 'secure'>): string[] {
  return Object.keys(header.secure?.identityKeys ?? {}).sort();
}

function checkKindAndRound(job: ApprovedJob, kind: CountedKind, round: number): TaskRefusal | null {
  const { spec } = job;
  if (kind === 'statistics') {
    if (!spec.preprocessing.normalize) return notApproved('kind', 'the job was accepted without federated preprocessing, but this task asks for statistics');
    if (round !== 0) return notApproved('round', `statistics are collected before round 1, but this task is for round ${round}`);
    return null;
  }
  if (!Number.isInteger(round) || round < 1 || round > spec.training.rounds) {
    return notApproved('round', `the job was accepted for rounds 1 to ${spec.training.rounds}, but this ${kind} task is for round ${shownValue(round)}`);
  }
  return null;
}

function checkDeadline(job: ApprovedJob, deadlineUnixMs: number, now: number): TaskRefusal | null {
  const latest = now + job.spec.roundDeadlineSeconds * 1000 + DEADLINE_MARGIN_MS;
  if (!Number.isFinite(deadlineUnixMs) || deadlineUnixMs > latest) {
    return notApproved('deadlineUnixMs', `the job's rounds last at most ${job.spec.roundDeadlineSeconds} s, but this task's deadline is ${shownValue(deadlineUnixMs)} (now ${now})`);
  }
  return null;
}

function checkProtections(job: ApprovedJob, header: CheckedHeader): TaskRefusal | null {
  const enabled = job.spec.secureAggregation.enabled;
  if (enabled && !header.secure) {
    return { code: 'SECURE_AGGREGATION_REQUIRED', field: 'secure', message: 'the job was accepted with secure aggregation, but this task asks for a plain contribution' };
  }
  // Unasked-for secure settings would change how the update is encoded and noised: not the job that was accepted either.
  if (!enabled && header.secure) return notApproved('secure', 'the job was accepted without secure aggregation, but this task asks for a secure contribution');
  return null;
}

const FIT_FIELDS = ['mode', 'localEpochs', 'batchSize', 'learningRate', 'optimizer', 'proximalMu', 'weighting', 'clipNorm'] as const satisfies ReadonlyArray<keyof ApprovedFit>;

function checkFit(job: ApprovedJob, kind: CountedKind, header: CheckedHeader): TaskRefusal | null {
  const fit = header.fit;
  if (kind !== 'fit') return fit ? notApproved('fit', `a ${kind} task carries no training settings, but this one does`) : null;
  if (!fit) return notApproved('fit', 'this fit task carries no training settings');
  const approved = approvedFit(job.spec, rosterOf(header).length);
  for (const field of FIT_FIELDS) {
    if (fit[field] !== approved[field]) {
      return notApproved(field, `the job was accepted with ${field} ${shownValue(approved[field])}, but this task asks for ${shownValue(fit[field])}`);
    }
  }
  if (!withinTolerance(fit.noiseStd, approved.noiseStd)) {
    return notApproved('noiseStd', `the accepted job's noise for a roster of ${rosterOf(header).length} has std ${approved.noiseStd}, but this task asks for ${shownValue(fit.noiseStd)}`);
  }
  return null;
}

function checkNormalization(job: ApprovedJob, kind: CountedKind, header: CheckedHeader): TaskRefusal | null {
  const { spec } = job;
  const normalization = header.normalization;
  const expected = spec.preprocessing.normalize && kind !== 'statistics';
  if (!expected) return normalization ? notApproved('normalization', `a ${kind} task of this job carries no normalisation, but this one does`) : null;
  if (!normalization) return notApproved('normalization', `the job standardises its features, but this ${kind} task carries no normalisation`);
  const columns = spec.dataset.features.length;
  if (normalization.mean.length !== columns) return notApproved('normalization.mean', `the job has ${columns} feature columns, but the normalisation has ${normalization.mean.length} means`);
  if (normalization.std.length !== columns) return notApproved('normalization.std', `the job has ${columns} feature columns, but the normalisation has ${normalization.std.length} standard deviations`);
  if (!normalization.mean.every(Number.isFinite)) return notApproved('normalization.mean', 'a normalisation mean is not a finite number');
  if (!normalization.std.every((std) => Number.isFinite(std) && std > 0)) return notApproved('normalization.std', 'a normalisation standard deviation is not a finite number above 0');
  return null;
}

function checkModel(job: ApprovedJob, kind: CountedKind, header: CheckedHeader): TaskRefusal | null {
  const model = header.model;
  if (kind === 'statistics') return model ? notApproved('model', 'a statistics task carries no model, but this one does') : null;
  if (!model) return notApproved('model', `this ${kind} task carries no model`);
  if (model.elementCount !== job.elements.fit) {
    return notApproved('model.elementCount', `the job's model has ${job.elements.fit} parameters, but this task's model has ${shownValue(model.elementCount)}`);
  }
  if (model.dtype !== 'DTYPE_FLOAT32') return notApproved('model.dtype', `the job's model travels as float32, but this task's is ${shownValue(model.dtype)}`);
  return null;
}

function checkSecureSettings(job: ApprovedJob, kind: CountedKind, header: CheckedHeader): TaskRefusal | null {
  const secure = header.secure;
  if (!secure) return null;
  const rosterSize = rosterOf(header).length;
  const fit = kind === 'fit' ? approvedFit(job.spec, rosterSize) : null;
  const contribution = fit
    ? { kind: 'update' as const, elementCount: job.elements.fit, clipNorm: fit.clipNorm, noiseStd: fit.noiseStd, weighting: fit.weighting }
    : { kind: 'sums' as const, elementCount: job.elements[kind] };
  const plan = secureCollectionOf(job.spec, contribution, rosterSize);
  if (!plan) return null;
  const encoding = plan.encoding;
  const expected: Array<[string, number | string, number | string, boolean?]> = [
    ['threshold', plan.threshold, secure.threshold],
    ['degree', plan.degree, secure.degree],
    ['encoding', encoding.kind, secure.encoding],
    // The encoding's one real parameter: the quantised clipping range, or the Skellam granularity this organisation derives itself.
    ['clippingRange', encoding.kind === 'quantized' ? encoding.clippingRange : encoding.kind === 'skellam' ? encoding.scale : 0, secure.clippingRange, true],
    ['maxWeight', encoding.kind === 'quantized' ? encoding.maxWeight : 0, secure.maxWeight],
    ['encodedElementCount', plan.encodedElementCount, secure.encodedElementCount],
    ['phaseTimeoutMs', plan.phaseTimeoutMs, secure.phaseTimeoutMs],
  ];
  for (const [field, approved, asked, tolerant] of expected) {
    const same = tolerant && typeof approved === 'number' && typeof asked === 'number' ? withinTolerance(asked, approved) : asked === approved;
    if (!same) return notApproved(`secure.${field}`, `the accepted job's secure aggregation over a roster of ${rosterSize} has ${field} ${shownValue(approved)}, but this task asks for ${shownValue(asked)}`);
  }
  return null;
}

/** Equal up to NOISE_TOLERANCE relative; 0 matches only 0. */
function withinTolerance(asked: number, approved: number): boolean {
  if (!Number.isFinite(asked)) return false;
  if (approved === 0) return asked === 0;
  return Math.abs(asked - approved) <= NOISE_TOLERANCE * Math.abs(approved);
}
