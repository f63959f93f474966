/**
 * Which secure collections of one job this organisation has sent a masked
 * input to, one entry per (round, kind), in <workDir>/contributions/<jobId>.json.
 *
 * Why: the aggregator decides when a collection is "lost", and the
 * coordinator then reopens it under a new id. If every participant sent the
 * same update again, an aggregator that unmasked the first attempt and left
 * one participant out of the second would learn that participant's update
 * as the difference of the two sums. A masked input can be unmasked by its
 * neighbours' shares alone, so the line is drawn at sending, not revealing:
 * after one masked input for a (round, kind) there is never a second.
 *
 * The entry is on disk (temporary file, fsync, rename) before the masked
 * input leaves, and read back when the agent starts, so a restart does not
 * forget it. A file that cannot be read is an error, never an empty ledger:
 * forgetting would allow exactly the second contribution this prevents.
 *
 * Plain (non-secure) collections are not recorded: there the aggregator
 * sees each update in the clear anyway, so a retry reveals nothing new.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-file';
import { errorMessage, ShoalError } from '../common/errors';
import { checkIdentifier } from '../common/ids';

export const CONTRIBUTIONS_FOLDER = 'contributions';

export interface ContributionEntry {
  round: number;
  kind: string;
  collectionId: string;
  at: string;
}

const entrySchema = z.strictObject({
  round: z.number().int().min(0),
  kind: z.string().min(1),
  collectionId: z.string().min(1),
  at: z.iso.datetime(),
});

const fileSchema = z.strictObject({
  version: z.literal(1),
  jobId: z.string().min(1),
  entries: z.array(entrySchema),
});

function ledgerError(code: 'CONTRIBUTION_LEDGER_CORRUPT' | 'CONTRIBUTION_LEDGER_WRITE_FAILED', path: string, why: string, cause?: unknown): ShoalError {
  return new ShoalError(code, `the contribution ledger ${path} ${why}`, { component: 'participant-agent', cause, details: { path } });
}

/** The ledger file of a job inside an agent's work dir. */
export function contributionLedgerPath(workDir: string, jobId: string): string {
  return join(workDir, CONTRIBUTIONS_FOLDER, `${checkIdentifier('job', jobId)}.json`);
}

export class ContributionLedger {
  private constructor(
    private readonly path: string,
    private readonly jobId: string,
    private readonly recorded: ContributionEntry[],
  ) {}

  /** The job's ledger in `workDir`; a missing file means nothing was sent yet. Throws CONTRIBUTION_LEDGER_CORRUPT for a file it cannot trust. */
  static open(workDir: string, jobId: string): ContributionLedger {
    const path = contributionLedgerPath(workDir, jobId);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new ContributionLedger(path, jobId, []);
      throw ledgerError('CONTRIBUTION_LEDGER_CORRUPT', path, `cannot be read (${errorMessage(err)})`, err);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw ledgerError('CONTRIBUTION_LEDGER_CORRUPT', path, `is not valid JSON (${errorMessage(err)})`, err);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw ledgerError('CONTRIBUTION_LEDGER_CORRUPT', path, `does not hold a contribution ledger (${issue.path.join('.') || 'the top level'}: ${issue.message})`, parsed.error);
    }
    if (parsed.data.jobId !== jobId) throw ledgerError('CONTRIBUTION_LEDGER_CORRUPT', path, `belongs to job ${parsed.data.jobId}, not ${jobId}`);
    return new ContributionLedger(path, jobId, parsed.data.entries);
  }

  hasContributed(round: number, kind: string): boolean {
    return this.find(round, kind) !== undefined;
  }

  /** The collection the masked input of (round, kind) went to, if one did. */
  collectionOf(round: number, kind: string): string | undefined {
    return this.find(round, kind)?.collectionId;
  }

  /**
   * Records that a masked input for (round, kind) is about to leave for
   * `collectionId`: on disk before this returns. Recording the same
   * collection again is a no-op; another collection of the same round and
   * kind is refused with SECAGG_ALREADY_CONTRIBUTED.
   */
  recordContribution(round: number, kind: string, collectionId: string, now: Date = new Date()): void {
    const existing = this.find(round, kind);
    if (existing?.collectionId === collectionId) return;
    if (existing) {
      throw new ShoalError('SECAGG_ALREADY_CONTRIBUTED', `a masked ${kind} input for round ${round} was already sent to collection ${existing.collectionId}; none is sent to ${collectionId}`, {
        component: 'participant-agent',
        details: { round, kind, collectionId, contributedTo: existing.collectionId },
      });
    }
    const entry: ContributionEntry = { round, kind, collectionId, at: now.toISOString() };
    try {
      // Owner-only: which rounds the organisation took part in is its business.
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileAtomic(this.path, `${JSON.stringify({ version: 1, jobId: this.jobId, entries: [...this.recorded, entry] }, null, 2)}\n`, { mode: 0o600 });
    } catch (err) {
      throw ledgerError('CONTRIBUTION_LEDGER_WRITE_FAILED', this.path, `cannot be written (${errorMessage(err)}); no masked input is sent without it`, err);
    }
    this.recorded.push(entry);
  }

  entries(): ContributionEntry[] {
    return this.recorded.map((entry) => ({ ...entry }));
  }

  private find(round: number, kind: string): ContributionEntry | undefined {
    return this.recorded.find((entry) => entry.round === round && entry.kind === kind);
  }
}
