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
 *
 * The same attack works across rounds: a coordinator can send round r's
 * global model again as round r+1 (task checks see only shapes) with a
 * roster that leaves the target out. Evaluation sums of one model are exact,
 * so two of them differ by the target's sums; two fit sums of one model
 * differ by about the target's update (the trainer seed changes with the
 * round, which blurs the difference but does not hide it). So each entry of
 * a fit or evaluate also holds the SHA-256 of the model bytes this agent
 * received, hashed here, never taken from the coordinator, and a model is
 * securely fitted at most once and securely evaluated at most once per job
 * (SECAGG_MODEL_REPEATED). There is no exception for distributed DP: the
 * organisation charges its ledger once per job, for the spec's ε, and does
 * not count the releases of each model itself, so a repeated release would
 * rest on the coordinator's accounting. Statistics carry no model; they are
 * only ever asked for in round 0 (task-check), so the (round, kind) rule
 * already allows one statistics input per job.
 *
 * File version 2 adds `modelSha256`; a version-1 file is still read, its
 * entries as "no hash" (they constrain rounds, not models), and the next
 * write stores version 2.
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
  /** Hex SHA-256 of the global model's bytes as received; null for statistics (no model) and for entries of a version-1 file. */
  modelSha256: string | null;
  at: string;
}

const LEDGER_VERSION = 2;

const entryV1Schema = z.strictObject({
  round: z.number().int().min(0),
  kind: z.string().min(1),
  collectionId: z.string().min(1),
  at: z.iso.datetime(),
});

const entrySchema = entryV1Schema.extend({ modelSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable() });

const fileSchema = z.discriminatedUnion('version', [
  z.strictObject({ version: z.literal(1), jobId: z.string().min(1), entries: z.array(entryV1Schema) }),
  z.strictObject({ version: z.literal(LEDGER_VERSION), jobId: z.string().min(1), entries: z.array(entrySchema) }),
]);

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
    const entries = parsed.data.version === 1 ? parsed.data.entries.map((entry) => ({ ...entry, modelSha256: null })) : parsed.data.entries;
    return new ContributionLedger(path, jobId, entries);
  }

  hasContributed(round: number, kind: string): boolean {
    return this.find(round, kind) !== undefined;
  }

  /** The collection the masked input of (round, kind) went to, if one did. */
  collectionOf(round: number, kind: string): string | undefined {
    return this.find(round, kind)?.collectionId;
  }

  /** The earlier secure `kind` input (fit or evaluate) of the model with this hash, if one was sent. */
  contributionWithModel(kind: string, modelSha256: string): ContributionEntry | undefined {
    const found = this.recorded.find((entry) => entry.kind === kind && entry.modelSha256 === modelSha256);
    return found && { ...found };
  }

  /**
   * Records that a masked input for (round, kind) of the model whose bytes
   * hash to `modelSha256` (null: a task without a model) is about to leave
   * for `collectionId`: on disk before this returns. Recording the same
   * collection again is a no-op; another collection of the same round and
   * kind is refused with SECAGG_ALREADY_CONTRIBUTED, and a model already
   * sent for this kind in another round with SECAGG_MODEL_REPEATED (the
   * session checks both before training; this is the last line, where the
   * input leaves).
   */
  recordContribution(round: number, kind: string, collectionId: string, modelSha256: string | null = null, now: Date = new Date()): void {
    const existing = this.find(round, kind);
    if (existing?.collectionId === collectionId) return;
    if (existing) {
      throw new ShoalError('SECAGG_ALREADY_CONTRIBUTED', `a masked ${kind} input for round ${round} was already sent to collection ${existing.collectionId}; none is sent to ${collectionId}`, {
        component: 'participant-agent',
        details: { round, kind, collectionId, contributedTo: existing.collectionId },
      });
    }
    const sameModel = modelSha256 === null ? undefined : this.contributionWithModel(kind, modelSha256);
    if (sameModel) {
      throw new ShoalError('SECAGG_MODEL_REPEATED', modelRepeatedMessage(kind, round, sameModel), {
        component: 'participant-agent',
        details: { round, kind, collectionId, contributedTo: sameModel.collectionId, contributedInRound: sameModel.round },
      });
    }
    const entry: ContributionEntry = { round, kind, collectionId, modelSha256, at: now.toISOString() };
    try {
      // Owner-only: which rounds the organisation took part in is its business.
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileAtomic(this.path, `${JSON.stringify({ version: LEDGER_VERSION, jobId: this.jobId, entries: [...this.recorded, entry] }, null, 2)}\n`, { mode: 0o600 });
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

/** Why a second masked input of one model is refused; the same words for the session's check and the ledger's. */
export function modelRepeatedMessage(kind: string, round: number, earlier: ContributionEntry): string {
  return `the model of this ${kind} task for round ${round} is the one whose masked ${kind} input was already sent in round ${earlier.round} (collection ${earlier.collectionId}); a second secure sum of one model over another roster would let the aggregator difference the two`;
}
