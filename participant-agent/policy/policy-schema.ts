/**
 * The moderation policy: the YAML file in which an organisation says which
 * offers its agent may accept without asking anyone. Every section is
 * optional, and each default is the one that denies what the file does not
 * name, so an empty policy accepts nothing.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../../common/errors';
import { ALLOWED_LAYER_CLASSES, expandColumns } from '../../common/job-spec';
import { ID_PATTERN } from '../../common/ids';
import { parseWithSchema, problemsError, type FieldProblem } from '../../common/schema-errors';
import { parsePublicKeyText } from '../../common/signing';

const identifier = z.string().regex(ID_PATTERN, 'a lower-case identifier (letters, digits, "_", "-"; at most 63 characters)');
// zod's own message for a bad record key is "Invalid key in record"; this one says what a key must be.
const keyedBy = (what: string) => ({ error: (issue: { code?: string }) => (issue.code === 'invalid_key' ? `${what} as the key (a lower-case identifier)` : undefined) });
const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Every default in one place; sections that are left out get these whole. */
const DEFAULTS = {
  models: { allowedLayers: [] as (typeof ALLOWED_LAYER_CLASSES)[number][], maxParameters: 1_000_000, maxRounds: 100, maxLocalEpochs: 10 },
  images: { allowedDigests: [] as string[] },
  privacy: { requireSecureAggregation: true, minParticipantsPerRound: 3, budgets: {} as Record<string, { epsilon: number }> },
  resources: { maxMemoryMiB: 4096, maxCpus: 2, maxPids: 512, maxRoundDeadlineSeconds: 3600 },
  output: { maxL2Norm: 1000, onNormExceeded: 'reject' as const, exampleCountGranularity: 1, maxViolations: 3, requireRelease: false },
  hookTimeoutSeconds: 10,
};

// zod copies a default only shallowly; a fresh copy per policy keeps two compiled policies from sharing arrays.
const fresh = <T>(value: T) => (): T => structuredClone(value);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isPublicKeyText(text: string): boolean {
  try {
    parsePublicKeyText(text);
    return true;
  } catch {
    return false;
  }
}

const requesterSchema = z.strictObject({
  /** The requester's Ed25519 key, "ed25519:<base64>"; its offers must be signed with it. */
  publicKey: z.string().refine(isPublicKeyText, 'an Ed25519 public key "ed25519:<base64 of 32 bytes>"'),
  /** auto: the policy's allow stands; ask: a person must approve every offer from this requester. */
  approval: z.enum(['auto', 'ask']).default('ask'),
  /** Local datasets this requester may train on, each with the only columns it may read ("X1..X23" ranges allowed). */
  datasets: z.record(identifier, z.strictObject({ columns: z.array(z.string().min(1)).min(1, 'at least one column') }), keyedBy('a dataset name')).default({}),
});

const modelsSchema = z.strictObject({
  /** Layer classes a job's model may use; empty refuses every model. */
  allowedLayers: z.array(z.enum(ALLOWED_LAYER_CLASSES)).default(fresh(DEFAULTS.models.allowedLayers)),
  /** Largest model, counted in parameters (trainable and not). */
  maxParameters: z.number().int().min(1).default(DEFAULTS.models.maxParameters),
  /** Most federated rounds a job may plan. */
  maxRounds: z.number().int().min(1).default(DEFAULTS.models.maxRounds),
  /** Most passes over the local data per round. */
  maxLocalEpochs: z.number().int().min(1).default(DEFAULTS.models.maxLocalEpochs),
});

const privacySchema = z.strictObject({
  /** Refuse jobs that let the aggregator see individual updates. */
  requireSecureAggregation: z.boolean().default(DEFAULTS.privacy.requireSecureAggregation),
  /** Fewest organisations a round may combine, so one update never hides in a sum of one or two. */
  minParticipantsPerRound: z.number().int().min(1).default(DEFAULTS.privacy.minParticipantsPerRound),
  /**
   * Present: the only other organisations this one aggregates with; a task whose
   * secure-aggregation roster names any other is refused (ROSTER_NOT_APPROVED).
   * Absent: any organisation the signed offer invites.
   */
  peers: z.array(identifier).min(1, 'at least one organisation (leave peers out to accept any invited one)').optional(),
  /** Present: every job must use differential privacy within these bounds. Absent: DP is not required. */
  differentialPrivacy: z.strictObject({
    /** Largest ε a single job may declare. */
    maxEpsilon: z.number().positive(),
    /** Largest δ a single job may declare. */
    maxDelta: z.number().gt(0).lt(1).default(1e-5),
  }).optional(),
  /** Per local dataset: the ε all jobs together may spend on it, tracked by the agent's privacy ledger. */
  budgets: z.record(identifier, z.strictObject({ epsilon: z.number().positive() }), keyedBy('a dataset name')).default(fresh(DEFAULTS.privacy.budgets)),
});

const resourcesSchema = z.strictObject({
  /** Memory per training run. */
  maxMemoryMiB: z.number().int().min(64).default(DEFAULTS.resources.maxMemoryMiB),
  /** CPUs per training run (fractions allowed). */
  maxCpus: z.number().positive().default(DEFAULTS.resources.maxCpus),
  /** Processes per training run. */
  maxPids: z.number().int().min(8).default(DEFAULTS.resources.maxPids),
  /** Longest a job may hold this organisation in one round. */
  maxRoundDeadlineSeconds: z.number().positive().default(DEFAULTS.resources.maxRoundDeadlineSeconds),
});

const timeWindowsSchema = z.strictObject({
  /** IANA zone the windows are written in, such as "Europe/Paris" (daylight saving follows it). */
  timezone: z.string().refine(isTimeZone, 'an IANA time zone name such as "Europe/Paris"'),
  /** Times at which offers may be accepted unattended; any one window is enough. */
  windows: z.array(z.strictObject({
    /** Days on which the window opens; a window that wraps past midnight belongs to the day it opens. */
    days: z.array(z.enum(WEEKDAYS)).min(1).default(fresh([...WEEKDAYS])),
    /** Local "HH:MM" at which the window opens (inside it); from > to wraps past midnight. */
    from: z.string().regex(clockTime, 'a 24-hour time "HH:MM"'),
    /** Local "HH:MM" at which the window closes; "24:00" is midnight at the end of the day. */
    to: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a 24-hour time "HH:MM" (or "24:00")'),
  })).min(1, 'at least one window'),
  /** What happens to an offer outside every window. */
  outside: z.enum(['deny', 'ask']).default('deny'),
});

const hookSchema = z.strictObject({
  /**
   * A program (argv, run without a shell) that reads the offer as JSON on stdin.
   * A relative path ("hooks/check") is relative to the policy file's folder, where
   * the program also runs; a bare name is looked up on PATH. It gets only PATH
   * from the agent's environment.
   */
  command: z.array(z.string().min(1)).min(1, 'the program and its arguments').optional(),
  /** An endpoint that receives the offer as a JSON POST body. */
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).optional(),
  /** How long the hook may take; a hook that does not answer in time denies the offer. */
  timeoutSeconds: z.number().positive().max(300).default(DEFAULTS.hookTimeoutSeconds),
});

const outputSchema = z.strictObject({
  /** Largest L2 norm a contribution may have before it leaves the organisation. */
  maxL2Norm: z.number().positive().default(DEFAULTS.output.maxL2Norm),
  /** clip: scale the update down to maxL2Norm; reject: withhold it. */
  onNormExceeded: z.enum(['clip', 'reject']).default(DEFAULTS.output.onNormExceeded),
  /** Example counts are rounded down to a multiple of this before they are reported; 1 reports them exactly. */
  exampleCountGranularity: z.number().int().min(1).default(DEFAULTS.output.exampleCountGranularity),
  /** Failed output checks at which the organisation withdraws from a job. */
  maxViolations: z.number().int().min(1).default(DEFAULTS.output.maxViolations),
  /** Each contribution waits for a person's release before it is sent. */
  requireRelease: z.boolean().default(DEFAULTS.output.requireRelease),
});

export const policySchema = z.strictObject({
  /** Who may offer jobs, keyed by the requester id used in job specs; a requester not named here is refused. */
  requesters: z.record(identifier, requesterSchema, keyedBy('a requester id')).default({}),
  /** Whether a decline's reason goes back to the regulator, or only "declined". */
  shareDecisionReasons: z.boolean().default(false),
  /** What a job may train, and for how long. */
  models: modelsSchema.default(fresh(DEFAULTS.models)),
  /** Image ids ("sha256:<64 hex>") of regulators' own training images that may run here. */
  images: z.strictObject({
    allowedDigests: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, 'an image id "sha256:<64 hex digits>"')).default(fresh(DEFAULTS.images.allowedDigests)),
  }).default(fresh(DEFAULTS.images)),
  /** The privacy floor every job must meet, and per-dataset ε budgets. */
  privacy: privacySchema.default(fresh(DEFAULTS.privacy)),
  /** Upper bounds on what a job may ask for; a job that asks for nothing runs under the agent's own sandbox limits. */
  resources: resourcesSchema.default(fresh(DEFAULTS.resources)),
  /** Absent: offers are welcome at any time. */
  timeWindows: timeWindowsSchema.optional(),
  /** Absent: no external check. Exactly one of command or url. */
  hook: hookSchema.optional(),
  /** Checks on what leaves the organisation after training; enforced by the contribution path, not by these rules. */
  output: outputSchema.default(fresh(DEFAULTS.output)),
});

type ParsedPolicy = z.output<typeof policySchema>;
export type HookSettings =
  | {
      /** argv; a relative program path is already resolved against workingDirectory. */
      command: string[];
      /** Where the program runs: the policy file's folder (the current one for a policy compiled without a file). */
      workingDirectory: string;
      timeoutSeconds: number;
    }
  | { url: string; timeoutSeconds: number };
export type ModerationPolicy = Omit<ParsedPolicy, 'hook'> & { hook?: HookSettings };
export type OutputPolicy = ModerationPolicy['output'];
export type TimeWindowPolicy = NonNullable<ModerationPolicy['timeWindows']>;
export type Weekday = (typeof WEEKDAYS)[number];

function compileHook(hook: ParsedPolicy['hook'], folder: string, problems: FieldProblem[]): HookSettings | undefined {
  if (!hook) return undefined;
  const { command, url, timeoutSeconds } = hook;
  if (command && !url) {
    const [program, ...args] = command;
    // A bare name is for PATH to find; a path names a file, and the policy's author wrote it relative to the policy.
    const resolved = program.includes('/') && !isAbsolute(program) ? resolve(folder, program) : program;
    return { command: [resolved, ...args], workingDirectory: folder, timeoutSeconds };
  }
  if (url && !command) return { url, timeoutSeconds };
  problems.push({ path: 'hook', expected: 'exactly one of "command" or "url"', found: command ? 'both' : 'neither' });
  return undefined;
}

/**
 * Validates a parsed policy document and returns it with every default filled
 * in and column ranges expanded. `folder` is where the policy lives: a hook
 * command's relative path resolves against it, and the hook runs there.
 */
export function compilePolicy(input: unknown, source = 'policy', folder: string = process.cwd()): ModerationPolicy {
  const parsed = parseWithSchema(policySchema, input, source);
  const problems: FieldProblem[] = [];
  for (const [requesterId, requester] of Object.entries(parsed.requesters)) {
    for (const [name, dataset] of Object.entries(requester.datasets)) {
      try {
        dataset.columns = expandColumns(dataset.columns);
      } catch {
        problems.push({ path: `requesters.${requesterId}.datasets.${name}.columns`, expected: 'column names or upward ranges such as "X1..X23"', found: 'a range that counts down or holds more than 100001 columns' });
      }
    }
  }
  parsed.timeWindows?.windows.forEach((window, i) => {
    if (window.from === window.to) problems.push({ path: `timeWindows.windows[${i}]`, expected: 'from and to that differ (00:00 to 24:00 is the whole day)', found: `${window.from} to ${window.to}` });
  });
  const hook = compileHook(parsed.hook, resolve(folder), problems);
  if (problems.length > 0) throw problemsError(source, problems);
  return { ...parsed, hook };
}

export function loadPolicy(path: string): ModerationPolicy {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read policy ${path}: ${errorMessage(err)}`, { path }, err);
  }
  // A file with only comments is a policy with every default: it accepts nothing.
  return compilePolicy(document ?? {}, `policy ${path}`, dirname(resolve(path)));
}
