/**
 * The agent's last look at what a trainer produced before any of it leaves
 * the organisation. The trainer is untrusted: its output must be exactly
 * the tensors the job declared, finite, within the norm bound, with only
 * declared scalars beside it. The first failing check decides the answer.
 * Pure: the caller reads the output folder and passes what it found.
 */
import { ShoalError } from '../../common/errors';
import { clipL2 } from '../../common/privacy';
import type { OutputPolicy } from '../policy';
import { TRAINER_FILES, TRAINER_RESULT_KEYS, type TensorDeclaration, type TrainerResult, type TrainerTask } from '../trainer/trainer-contract';

export type { OutputPolicy };

export interface OutputCandidate {
  kind: TrainerTask['kind'];
  /** Parsed result.json, as the trainer wrote it. */
  result: unknown;
  /** contribution.bin read with the dtype result.json claims. */
  vector: Float32Array | Float64Array;
  /** Every entry name in the output folder. */
  files: string[];
}

export interface DeclaredOutput {
  tensors: TensorDeclaration[];
  metrics: string[];
}

export type OutputViolationCode =
  | 'OUTPUT_EXTRA_FILE'
  | 'OUTPUT_MALFORMED'
  | 'OUTPUT_TENSOR_MISMATCH'
  | 'OUTPUT_NOT_FINITE'
  | 'OUTPUT_NORM_EXCEEDED'
  | 'OUTPUT_UNDECLARED_METRIC';

export type OutputCheck =
  | {
      ok: true;
      /** What may leave: the trainer's vector, or a clipped copy of it. */
      vector: Float32Array | Float64Array;
      /** The weight that may leave, coarsened for fit. */
      weight: number;
      /** L2 norm of the trainer's vector before any clipping. */
      l2Norm: number;
      clipped: boolean;
      /** What passed, for the audit log. */
      checks: string[];
    }
  | { ok: false; violation: OutputViolationCode; reason: string };

class Violation extends Error {
  constructor(readonly code: OutputViolationCode, reason: string) {
    super(reason);
  }
}

const ALLOWED_FILES: readonly string[] = [TRAINER_FILES.result, TRAINER_FILES.contribution];
const RESULT_KEYS: readonly string[] = TRAINER_RESULT_KEYS;
const TENSOR_KEYS = ['name', 'shape', 'dtype'];
/** A backend name is a short identifier; anything longer could carry data. */
const BACKEND_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

export function checkOutput(candidate: OutputCandidate, declared: DeclaredOutput, policy: OutputPolicy): OutputCheck {
  checkPolicy(policy);
  try {
    return passed(candidate, declared, policy);
  } catch (err) {
    if (err instanceof Violation) return { ok: false, violation: err.code, reason: err.message };
    throw err;
  }
}

function passed(candidate: OutputCandidate, declared: DeclaredOutput, policy: OutputPolicy): OutputCheck {
  const checks: string[] = [];
  checkFiles(candidate.files);
  checks.push(`only ${ALLOWED_FILES.join(' and ')} in the output folder`);

  const result = wellFormedResult(candidate.result, candidate.kind);
  checks.push('result.json has exactly the known fields');

  const what = candidate.kind === 'fit' ? 'the declared model' : `the declared ${candidate.kind} output`;
  checkTensors(result.tensors, declared.tensors, what);
  checkVector(candidate.vector, result, declared.tensors, what);
  checks.push(`${declared.tensors.length} tensor(s), ${candidate.vector.length} ${result.dtype} values, as ${what} declares`);

  checkFinite(candidate.vector, declared.tensors);
  checks.push('every value is finite');

  checkMetrics(result.metrics, declared.metrics);
  checks.push(`metrics ${Object.keys(result.metrics).join(', ') || '(none)'} declared and finite`);

  checkWeight(result.weight, candidate.kind);
  checks.push('weight is a positive finite number');

  const { norm, vector, clipped } = boundedNorm(candidate.vector, candidate.kind, policy);
  if (candidate.kind === 'fit') checks.push(clipped ? `L2 norm clipped to ${policy.maxL2Norm}` : `L2 norm within ${policy.maxL2Norm}`);

  const weight = candidate.kind === 'fit' ? coarsened(result.weight, policy.exampleCountGranularity) : result.weight;
  if (candidate.kind === 'fit') checks.push(`example count rounded down to a multiple of ${policy.exampleCountGranularity}`);

  return { ok: true, vector, weight, l2Norm: norm, clipped, checks };
}

function checkPolicy(policy: OutputPolicy): void {
  const problems: string[] = [];
  if (!(Number.isFinite(policy.maxL2Norm) && policy.maxL2Norm > 0)) problems.push(`maxL2Norm must be a finite number > 0, got ${policy.maxL2Norm}`);
  if (!(Number.isInteger(policy.exampleCountGranularity) && policy.exampleCountGranularity >= 1)) {
    problems.push(`exampleCountGranularity must be an integer >= 1, got ${policy.exampleCountGranularity}`);
  }
  if (policy.onNormExceeded !== 'clip' && policy.onNormExceeded !== 'reject') problems.push(`onNormExceeded must be clip or reject, got ${String(policy.onNormExceeded)}`);
  // A compiled policy never gets here; this guards against a caller that skipped compiling it.
  if (problems.length > 0) throw new ShoalError('OUTPUT_POLICY_INVALID', `the output policy is invalid: ${problems.join('; ')}`, { component: 'participant-agent' });
}

function checkFiles(files: string[]): void {
  const extra = files.filter((name) => !ALLOWED_FILES.includes(name)).sort();
  if (extra.length > 0) throw new Violation('OUTPUT_EXTRA_FILE', `the trainer left ${quoted(extra[0])} in its output folder${extra.length > 1 ? ` (and ${extra.length - 1} more)` : ''}; only ${ALLOWED_FILES.join(' and ')} may be there`);
  for (const name of ALLOWED_FILES) {
    if (!files.includes(name)) throw new Violation('OUTPUT_MALFORMED', `the trainer wrote no ${name}`);
  }
}

function wellFormedResult(value: unknown, kind: TrainerTask['kind']): TrainerResult {
  const malformed = (reason: string): Violation => new Violation('OUTPUT_MALFORMED', `result.json ${reason}`);
  if (!isRecord(value)) throw malformed('is not a JSON object');
  for (const key of Object.keys(value)) {
    if (!RESULT_KEYS.includes(key)) throw malformed(`has an unknown field ${quoted(key)}`);
  }
  for (const key of RESULT_KEYS) {
    if (!(key in value)) throw malformed(`lacks the field '${key}'`);
  }
  if (value.kind !== kind) throw malformed(`is for a ${quoted(String(value.kind))} task; the task was ${kind}`);
  if (typeof value.weight !== 'number') throw malformed('has a weight that is not a number');
  if (!(Number.isInteger(value.elementCount) && (value.elementCount as number) >= 0)) throw malformed('has an elementCount that is not a count');
  if (value.dtype !== 'float32' && value.dtype !== 'float64') throw malformed('has a dtype other than float32 or float64');
  if (typeof value.backend !== 'string' || !BACKEND_PATTERN.test(value.backend)) throw malformed('has a backend that is not a short identifier');
  if (!Array.isArray(value.epochLosses) || !value.epochLosses.every(isFiniteNumber)) throw malformed('has epochLosses that are not a list of finite numbers');
  if (kind !== 'fit' && value.epochLosses.length > 0) throw malformed(`has epochLosses for a ${kind} task`);
  if (!(isFiniteNumber(value.seconds) && value.seconds >= 0)) throw malformed('has seconds that are not a finite number >= 0');
  if (!Array.isArray(value.tensors)) throw malformed('has tensors that are not a list');
  value.tensors.forEach((tensor, i) => {
    if (!isRecord(tensor) || Object.keys(tensor).some((key) => !TENSOR_KEYS.includes(key))) throw malformed(`has tensor ${i} that is not {name, shape, dtype}`);
    if (typeof tensor.name !== 'string') throw malformed(`has tensor ${i} without a name`);
    if (!Array.isArray(tensor.shape) || !tensor.shape.every((dim) => Number.isInteger(dim) && dim >= 0)) throw malformed(`has tensor ${i} whose shape is not a list of sizes`);
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'float64') throw malformed(`has tensor ${i} with a dtype other than float32 or float64`);
  });
  if (!isRecord(value.metrics)) throw malformed('has metrics that are not an object');
  return value as unknown as TrainerResult;
}

function checkTensors(reported: TensorDeclaration[], declared: TensorDeclaration[], what: string): void {
  const mismatch = (reason: string): Violation => new Violation('OUTPUT_TENSOR_MISMATCH', reason);
  const declaredNames = new Set(declared.map((t) => t.name));
  const reportedNames = new Set(reported.map((t) => t.name));
  const extra = reported.find((t) => !declaredNames.has(t.name));
  if (extra) throw mismatch(`an extra tensor ${quoted(extra.name)} ${what} does not have`);
  const missing = declared.findIndex((t) => !reportedNames.has(t.name));
  if (missing >= 0) throw mismatch(`tensor ${missing} (${declared[missing].name}) of ${what} is missing`);
  if (reported.length !== declared.length) throw mismatch(`the trainer reports ${reported.length} tensors; ${what} has ${declared.length}`);
  declared.forEach((want, i) => {
    const got = reported[i];
    if (got.name !== want.name) throw mismatch(`tensor ${i} is ${quoted(got.name)}; ${what} has ${want.name} there`);
    if (!sameShape(got.shape, want.shape)) throw mismatch(`tensor ${i} (${want.name}) has shape ${shapeText(got.shape)}; ${what} has ${shapeText(want.shape)}`);
    if (got.dtype !== want.dtype) throw mismatch(`tensor ${i} (${want.name}) is ${got.dtype}; ${what} has ${want.dtype}`);
  });
}

function checkVector(vector: Float32Array | Float64Array, result: TrainerResult, declared: TensorDeclaration[], what: string): void {
  const mismatch = (reason: string): Violation => new Violation('OUTPUT_TENSOR_MISMATCH', reason);
  const expected = declared.reduce((sum, t) => sum + size(t.shape), 0);
  if (vector.length !== expected) throw mismatch(`contribution.bin holds ${vector.length} values; ${what} has ${expected}`);
  if (result.elementCount !== vector.length) throw mismatch(`result.json says elementCount ${result.elementCount}; contribution.bin holds ${vector.length} values`);
  const dtype = vector instanceof Float64Array ? 'float64' : 'float32';
  if (result.dtype !== dtype) throw mismatch(`contribution.bin was read as ${dtype}; result.json says ${result.dtype}`);
  const other = declared.find((t) => t.dtype !== dtype);
  if (other) throw mismatch(`the contribution is ${dtype}; ${what} has ${other.name} as ${other.dtype}`);
}

function checkFinite(vector: Float32Array | Float64Array, declared: TensorDeclaration[]): void {
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) throw new Violation('OUTPUT_NOT_FINITE', `the contribution holds ${vector[i]} at position ${i} (${locate(i, declared)})`);
  }
}

function checkMetrics(metrics: Record<string, unknown>, declared: string[]): void {
  for (const [name, value] of Object.entries(metrics)) {
    if (!declared.includes(name)) {
      throw new Violation('OUTPUT_UNDECLARED_METRIC', `the trainer reports a metric ${quoted(name)} the job does not declare (declared: ${declared.join(', ') || 'none'})`);
    }
    if (!isFiniteNumber(value)) throw new Violation('OUTPUT_UNDECLARED_METRIC', `the metric ${name} is not a finite number`);
  }
}

function checkWeight(weight: number, kind: TrainerTask['kind']): void {
  if (!(Number.isFinite(weight) && weight > 0)) throw new Violation('OUTPUT_MALFORMED', 'the trainer reported a weight that is not a positive finite number');
  // Sums are unweighted; any other weight would be a number leaving for no reason.
  if (kind !== 'fit' && weight !== 1) throw new Violation('OUTPUT_MALFORMED', `a ${kind} result must weigh 1`);
}

function boundedNorm(vector: Float32Array | Float64Array, kind: TrainerTask['kind'], policy: OutputPolicy): { norm: number; vector: Float32Array | Float64Array; clipped: boolean } {
  const clip = clipL2(vector, policy.maxL2Norm);
  if (kind !== 'fit' || !clip.clipped) return { norm: clip.norm, vector, clipped: false };
  if (policy.onNormExceeded === 'reject') {
    throw new Violation('OUTPUT_NORM_EXCEEDED', `the update's L2 norm is ${clip.norm}; the bound is ${policy.maxL2Norm}`);
  }
  return { norm: clip.norm, vector: vector instanceof Float32Array ? narrowedWithin(clip.vector, policy.maxL2Norm) : clip.vector, clipped: true };
}

/**
 * Back to float32 as the trainer produced it, which the wire format expects.
 * Rounding each entry can lift the norm a hair above the bound; the bound is
 * a promise, so nudge it back below.
 */
function narrowedWithin(vector: Float64Array, bound: number): Float32Array {
  const out = Float32Array.from(vector);
  for (let attempt = 0; attempt < 16 && clipL2(out, bound).clipped; attempt++) {
    for (let i = 0; i < out.length; i++) out[i] *= 1 - 2 ** -22;
  }
  return out;
}

/** Rounded down to a multiple of the granularity, but a small contributor still counts as one granule. */
function coarsened(weight: number, granularity: number): number {
  return Math.max(granularity, Math.floor(weight / granularity) * granularity);
}

function locate(position: number, declared: TensorDeclaration[]): string {
  let offset = 0;
  for (const tensor of declared) {
    const n = size(tensor.shape);
    if (position < offset + n) return `tensor ${tensor.name}, element ${position - offset}`;
    offset += n;
  }
  return 'past the declared tensors';
}

function size(shape: number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function shapeText(shape: number[]): string {
  return `[${shape.join(',')}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A name the trainer chose, for a reason that may reach logs and the
 * coordinator: cut short and stripped to plain characters, so a reason
 * cannot carry the trainer's data out.
 */
function quoted(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9._/-]/g, '?');
  return `'${plain.length > 40 ? `${plain.slice(0, 40)}…` : plain}'`;
}
