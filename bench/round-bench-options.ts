/**
 * Settings of `npm run bench` (round overhead, broadcast, peak memory and
 * `shoal simulate` timings): the documented options, the defaults in one
 * place, and the compile step that validates the command line and returns
 * fully populated options.
 */
import { ConfigError } from '../common/errors';
import type { AggregationMode } from './overhead-job';

export interface RoundBenchOptionsInput {
  out?: string;
  quick?: boolean;
  /** Comma-separated, e.g. "10,30". */
  n?: string;
  /** Comma-separated; accepts 1e6 as well as 1000000. */
  d?: string;
  modes?: string;
  rounds?: number;
  warmup?: number;
  /** commander's --no-simulate sets this false. */
  simulate?: boolean;
}

export interface RoundBenchOptions {
  /** The folder for latest.json and latest.svg. */
  out: string;
  ns: number[];
  ds: number[];
  modes: AggregationMode[];
  /** Measured rounds per configuration, after the warm-up rounds. */
  rounds: number;
  warmup: number;
  simulate: boolean;
  quick: boolean;
}

export const ROUND_BENCH_DEFAULTS = {
  ns: [10, 30, 100],
  ds: [1e5, 1e6, 1e7],
  quickNs: [10, 30],
  quickDs: [1e5, 1e6],
  modes: ['plain', 'secure'] as AggregationMode[],
  rounds: 3,
  warmup: 1,
} as const;

/** Beyond this many participant-bytes (n · 4d) a configuration is skipped: it would not fit a small machine's memory and time. */
export const MAX_COHORT_BYTES = 1.3e9;
/** Secure aggregation expands one mask per neighbour per participant: beyond this many mask words it is skipped. */
export const MAX_SECURE_MASK_WORDS = 3e9;

function invalid(field: string, expected: string, found: unknown): ConfigError {
  return new ConfigError(`--${field} must be ${expected}, got ${JSON.stringify(found)}`, { field, expected, found });
}

function numberList(field: string, text: string, min: number, max: number): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((v) => !Number.isSafeInteger(v) || v < min || v > max)) throw invalid(field, `a comma-separated list of whole numbers in [${min}, ${max}]`, text);
  return [...new Set(values)].sort((a, b) => a - b);
}

function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(field, `a whole number in [${min}, ${max}]`, value);
  return value;
}

export function compileRoundBenchOptions(input: RoundBenchOptionsInput): RoundBenchOptions {
  if (!input.out) throw invalid('out', 'a folder for the JSON report and the chart', input.out ?? '');
  const quick = input.quick === true;
  const ns = input.n === undefined ? [...(quick ? ROUND_BENCH_DEFAULTS.quickNs : ROUND_BENCH_DEFAULTS.ns)] : numberList('n', input.n, 2, 256);
  const ds = input.d === undefined ? [...(quick ? ROUND_BENCH_DEFAULTS.quickDs : ROUND_BENCH_DEFAULTS.ds)] : numberList('d', input.d, 10, 5e7);
  let modes = [...ROUND_BENCH_DEFAULTS.modes];
  if (input.modes !== undefined) {
    const asked = input.modes.split(',').map((m) => m.trim());
    if (asked.length === 0 || asked.some((m) => m !== 'plain' && m !== 'secure')) throw invalid('modes', 'a comma-separated list of plain, secure', input.modes);
    modes = ROUND_BENCH_DEFAULTS.modes.filter((m) => asked.includes(m));
  }
  return {
    out: input.out,
    ns,
    ds,
    modes,
    rounds: wholeNumber('rounds', input.rounds ?? ROUND_BENCH_DEFAULTS.rounds, 1, 100),
    warmup: wholeNumber('warmup', input.warmup ?? ROUND_BENCH_DEFAULTS.warmup, 0, 10),
    simulate: input.simulate !== false,
    quick,
  };
}
