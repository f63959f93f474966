/**
 * Settings of the secure-aggregation benchmark: the documented options, the
 * defaults in one place, and the compile step that validates what came from
 * the command line and returns fully populated options.
 */
import { ConfigError } from '../common/errors';
import { MAX_ELEMENT_COUNT } from '../common/secagg';

export type BenchMode = 'plain' | 'secagg' | 'secagg+';

/** Every mode, in the order the benchmark runs and reports them. */
export const BENCH_MODES: readonly BenchMode[] = ['plain', 'secagg', 'secagg+'];

/** What the command line may set; anything left out takes its default. */
export interface BenchOptionsInput {
  n?: number;
  d?: number;
  /** A number, or its text as typed (dropout 0 is allowed, so it is parsed here). */
  dropout?: number | string;
  out?: string;
  /** Comma-separated, e.g. "plain,secagg+". */
  modes?: string;
  maskWorkers?: number;
  seed?: number;
  degree?: number;
  threshold?: number;
}

export interface BenchOptions {
  /** Participants in the cohort. */
  n: number;
  /** Elements of each float32 update; the masked vector has d + 1 (the weight travels as one more element). */
  d: number;
  /** Fraction of the cohort that shares keys and then drops before sending its masked input. */
  dropout: number;
  /** Participants that drop: round(dropout · n). */
  dropped: number;
  /** Where the JSON report is written; null: it is not written. */
  out: string | null;
  modes: BenchMode[];
  /** The aggregator's mask expansion: 0 on the calling thread, 1 on one worker thread (both one core), more: that many workers. */
  maskWorkers: number;
  /** Seeds the updates, the identities, every client's key material and who drops. */
  seed: number;
  /** SecAgg+ neighbour degree; null: the library's default. Checked by compileSecAggConfig. */
  degree: number | null;
  /** SecAgg+ threshold; null: the library's default for the degree. */
  threshold: number | null;
}

export const BENCH_DEFAULTS = {
  n: 100,
  d: 1_000_000,
  dropout: 0.1,
  out: null,
  modes: BENCH_MODES,
  // One worker thread: one core, like inline, but off the main heap (see createMaskExpander).
  maskWorkers: 1,
  seed: 1,
} as const;

/** Quantisation sums at most 2^24 inputs (common/secagg/encoding.ts). */
const MAX_PARTICIPANTS = 2 ** 24;

function invalid(field: string, expected: string, found: unknown): ConfigError {
  return new ConfigError(`--${field} must be ${expected}, got ${JSON.stringify(found)}`, { field, expected, found });
}

function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(field, `a whole number in [${min}, ${max}]`, value);
  return value;
}

function parseModes(text: string): BenchMode[] {
  const asked = text.split(',').map((mode) => mode.trim()).filter((mode) => mode.length > 0);
  const unknown = asked.filter((mode) => !(BENCH_MODES as readonly string[]).includes(mode));
  if (asked.length === 0 || unknown.length > 0) throw invalid('modes', `a comma-separated list of ${BENCH_MODES.join(', ')}`, text);
  return BENCH_MODES.filter((mode) => asked.includes(mode));
}

/** Validates the input and fills the defaults. */
export function compileBenchOptions(input: BenchOptionsInput): BenchOptions {
  const n = wholeNumber('n', input.n ?? BENCH_DEFAULTS.n, 2, MAX_PARTICIPANTS);
  const d = wholeNumber('d', input.d ?? BENCH_DEFAULTS.d, 1, MAX_ELEMENT_COUNT - 1);
  const dropout = typeof input.dropout === 'string' ? Number(input.dropout) : input.dropout ?? BENCH_DEFAULTS.dropout;
  if (!Number.isFinite(dropout) || dropout < 0 || dropout >= 1) throw invalid('dropout', 'a fraction in [0, 1)', input.dropout);
  const dropped = Math.round(dropout * n);
  if (n - dropped < 1) throw invalid('dropout', `small enough to leave at least one of the ${n} participants`, input.dropout);
  const out = input.out === undefined || input.out === '' ? BENCH_DEFAULTS.out : input.out;
  const modes = input.modes === undefined ? [...BENCH_DEFAULTS.modes] : parseModes(input.modes);
  const maskWorkers = wholeNumber('mask-workers', input.maskWorkers ?? BENCH_DEFAULTS.maskWorkers, 0, 256);
  const seed = wholeNumber('seed', input.seed ?? BENCH_DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER);
  const degree = input.degree === undefined ? null : wholeNumber('degree', input.degree, 1, n - 1);
  const threshold = input.threshold === undefined ? null : wholeNumber('threshold', input.threshold, 1, n);
  return { n, d, dropout, dropped, out, modes, maskWorkers, seed, degree, threshold };
}
