/**
 * Settings of the sandbox benchmark: the documented options, their defaults
 * in one place, and the compile step that checks the command line and
 * returns every setting filled in.
 */
import { ConfigError } from '../common/errors';

/** What the command line may set; anything left out takes its default. */
export interface SandboxBenchOptionsInput {
  rounds?: number;
  warmup?: number;
  rows?: number;
  /** A number, or its text as typed. */
  cpus?: number | string;
  image?: string;
  out?: string;
}

export interface SandboxBenchOptions {
  /** Timed rounds; each runs one fit task and one statistics task in each sandbox. */
  rounds: number;
  /** Untimed rounds first, so that page caches and the engine are warm for every timed one. */
  warmup: number;
  /** Data rows of the credit-default CSV that the simulated bank holds (the first ones). */
  rows: number;
  /** The container's CPU cap, as in the agent config's sandbox.limits.cpus. */
  cpus: number;
  /** The trainer image the Docker sandbox runs. */
  image: string;
  /** Where the JSON report is written; null: it is not written. */
  out: string | null;
}

/** The data rows in examples/credit-default/credit-default.csv. */
export const CREDIT_DEFAULT_ROWS = 30_000;

export const SANDBOX_BENCH_DEFAULTS = {
  rounds: 5,
  warmup: 1,
  /** One bank of `shoal simulate`: 80% of 30,000 rows over five banks. */
  rows: 4_800,
  /** The agent's default cap. */
  cpus: 1,
  image: 'shoal-trainer:dev',
  out: null,
} as const;

/** The overhead per round the issue allows the Docker sandbox over the process sandbox. */
export const OVERHEAD_TARGET_SECONDS = 0.6;

function invalid(field: string, expected: string, found: unknown): ConfigError {
  return new ConfigError(`--${field} must be ${expected}, got ${JSON.stringify(found)}`, { field, expected, found });
}

function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(field, `a whole number in [${min}, ${max}]`, value);
  return value;
}

/** Checks the input and fills the defaults. */
export function compileSandboxBenchOptions(input: SandboxBenchOptionsInput): SandboxBenchOptions {
  const rounds = wholeNumber('rounds', input.rounds ?? SANDBOX_BENCH_DEFAULTS.rounds, 1, 1000);
  const warmup = wholeNumber('warmup', input.warmup ?? SANDBOX_BENCH_DEFAULTS.warmup, 0, 100);
  const rows = wholeNumber('rows', input.rows ?? SANDBOX_BENCH_DEFAULTS.rows, 100, CREDIT_DEFAULT_ROWS);
  const cpus = typeof input.cpus === 'string' ? Number(input.cpus) : input.cpus ?? SANDBOX_BENCH_DEFAULTS.cpus;
  // The agent config accepts (0, 256].
  if (!Number.isFinite(cpus) || cpus <= 0 || cpus > 256) throw invalid('cpus', 'a number of CPUs in (0, 256]', input.cpus);
  const image = input.image === undefined || input.image === '' ? SANDBOX_BENCH_DEFAULTS.image : input.image;
  const out = input.out === undefined || input.out === '' ? SANDBOX_BENCH_DEFAULTS.out : input.out;
  return { rounds, warmup, rows, cpus, image, out };
}
