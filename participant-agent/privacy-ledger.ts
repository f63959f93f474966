/**
 * The privacy budget each of the organisation's datasets has spent: one
 * entry per accepted job with differential privacy, kept in a JSON file that
 * outlives the agent. Spent budget must never be forgotten, so a file that
 * cannot be read is refused, not replaced by an empty ledger.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { errorMessage, ShoalError } from '../common/errors';
import { writeFileAtomic } from '../common/atomic-file';

export interface LedgerEntry {
  dataset: string;
  jobId: string;
  epsilon: number;
  delta: number;
  requester: string;
  at: string;
}

const entrySchema = z.strictObject({
  dataset: z.string().min(1),
  jobId: z.string().min(1),
  epsilon: z.number().min(0),
  delta: z.number().min(0).lt(1),
  requester: z.string(),
  at: z.iso.datetime(),
});

const fileSchema = z.strictObject({
  version: z.literal(1),
  entries: z.array(entrySchema),
});

type LedgerFile = z.output<typeof fileSchema>;

function corrupt(path: string, why: string, cause?: unknown): ShoalError {
  return new ShoalError('PRIVACY_LEDGER_CORRUPT', `the privacy ledger ${path} ${why}; it is left as it is, since starting afresh would forget spent budget`, {
    component: 'participant-agent',
    cause,
    details: { path },
  });
}

export class PrivacyLedger {
  private constructor(
    private readonly path: string,
    private readonly recorded: LedgerEntry[],
  ) {}

  /** The ledger in `path`; a missing file is an empty ledger (nothing spent yet). */
  static open(path: string): PrivacyLedger {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new PrivacyLedger(path, []);
      throw corrupt(path, `cannot be read (${errorMessage(err)})`, err);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw corrupt(path, `is not valid JSON (${errorMessage(err)})`, err);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw corrupt(path, `does not hold a ledger (${issue.path.join('.') || 'the top level'}: ${issue.message})`, parsed.error);
    }
    return new PrivacyLedger(path, parsed.data.entries);
  }

  /** ε spent on the dataset by every recorded job. */
  spent(dataset: string): number {
    return this.recorded.reduce((sum, entry) => (entry.dataset === dataset ? sum + entry.epsilon : sum), 0);
  }

  has(jobId: string, dataset: string): boolean {
    return this.find(jobId, dataset) !== undefined;
  }

  /**
   * Records a job's spend on a dataset, on disk before it counts. A job
   * already recorded for that dataset keeps its first entry, so an offer
   * seen twice (a restart, a redelivery) does not spend twice.
   */
  record(entry: Omit<LedgerEntry, 'at'>, now: Date = new Date()): LedgerEntry {
    const existing = this.find(entry.jobId, entry.dataset);
    if (existing) return { ...existing };
    const full: LedgerEntry = { dataset: entry.dataset, jobId: entry.jobId, epsilon: entry.epsilon, delta: entry.delta, requester: entry.requester, at: now.toISOString() };
    const checked = entrySchema.safeParse(full);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new ShoalError('PRIVACY_LEDGER_INVALID_ENTRY', `cannot record job ${entry.jobId} on ${entry.dataset}: ${issue.path.join('.')}: ${issue.message}`, { component: 'participant-agent', details: { jobId: entry.jobId, dataset: entry.dataset } });
    }
    try {
      this.write({ version: 1, entries: [...this.recorded, full] });
    } catch (err) {
      throw new ShoalError('PRIVACY_LEDGER_WRITE_FAILED', `cannot write the privacy ledger ${this.path}: ${errorMessage(err)}`, { component: 'participant-agent', cause: err, details: { path: this.path } });
    }
    this.recorded.push(full);
    return { ...full };
  }

  entries(): LedgerEntry[] {
    return this.recorded.map((entry) => ({ ...entry }));
  }

  private find(jobId: string, dataset: string): LedgerEntry | undefined {
    return this.recorded.find((entry) => entry.jobId === jobId && entry.dataset === dataset);
  }

  /** A crash leaves either the old file or the new one, never a half-written ledger. */
  private write(content: LedgerFile): void {
    writeFileAtomic(this.path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  }
}

