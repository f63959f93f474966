/**
 * Offers and round outputs waiting for a person. The agent daemon and the
 * `shoal agent` CLI are separate processes that share only this folder, so
 * every state change is one atomic file operation and either side may
 * restart at any time without losing a decision.
 *
 *   <workDir>/moderation/pending/<jobId>.json                 an offer waiting (agent writes)
 *   <workDir>/moderation/decisions/<jobId>.json               a person's decision (CLI writes, agent consumes)
 *   <workDir>/moderation/releases/<jobId>/<round>.pending.json   a round's output waiting (agent writes)
 *   <workDir>/moderation/releases/<jobId>/<round>.released.json  a person's release (CLI writes)
 *
 * A decision file is created with link(2), which fails when the file exists,
 * so it is the single arbiter between a person deciding and the agent giving
 * up at the expiry time: the agent claims the same name with an "expired"
 * marker, and whoever links first wins. Release files work the same way.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ShoalError } from '../common/errors';
import type { JobSpec } from '../common/job-spec';

export interface PendingOffer {
  jobId: string;
  requester: string;
  /** ISO time the agent received the offer. */
  receivedAt: string;
  /** ISO time after which an undecided offer is declined. */
  expiresAt: string;
  /** The validated spec, so a person sees exactly what would run. */
  spec: JobSpec;
  coordinator: string;
  aggregator: string;
  /** The local file the job would read. */
  dataPath: string;
  /** The policy's verdicts that led to "ask". */
  reasons: Array<{ rule: string; outcome: 'allow' | 'deny' | 'ask'; reason: string }>;
  modelParameters: number;
}

export interface HumanDecision {
  jobId: string;
  approve: boolean;
  reason: string;
  by: string;
  at: string;
}

export interface PendingRelease {
  jobId: string;
  round: number;
  collectionId: string;
  kind: 'statistics' | 'fit' | 'evaluate';
  requestedAt: string;
  deadline: string;
  /** Facts about the output, never the values themselves. */
  summary: { elements: number; weight: number; l2Norm: number; sha256: string };
}

export interface Release {
  jobId: string;
  round: number;
  /** The collection whose output was released: a round holds a fit and then an evaluate collection, released one at a time. */
  collectionId: string;
  by: string;
  at: string;
  reason: string;
}

/** A pending file that could not be read or parsed; listed rather than failing the whole listing. */
export interface UnreadableEntry {
  file: string;
  problem: string;
}

export type WaitOutcome<T> = T | 'expired' | 'aborted';

/** What the agent links in place of a decision or release when it gives up waiting. */
interface ExpiryMarker {
  expired: true;
  jobId: string;
  at: string;
}

const JOB_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const DEFAULT_POLL_MS = 250;

function moderationError(code: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): ShoalError {
  return new ShoalError(code, message, { component: 'participant-agent', details, cause });
}

function checkJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    throw moderationError('INVALID_JOB_ID', `${JSON.stringify(jobId)} is not a job id: expected a lower-case identifier (letters, digits, ".", "_", "-"; at most 63 characters)`, { jobId });
  }
  return jobId;
}

function checkRound(round: unknown): number {
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 0) {
    throw moderationError('INVALID_ROUND', `${JSON.stringify(round)} is not a round: expected a whole number (0 or more)`, { round });
  }
  return round;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function isMarker(value: unknown): value is ExpiryMarker {
  return typeof value === 'object' && value !== null && (value as { expired?: unknown }).expired === true;
}

/** Parsed JSON, or undefined when the file does not exist; other failures throw. */
function readJson<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

function removeIfPresent(path: string): void {
  rmSync(path, { force: true });
}

/** Best effort: a rename or link is durable only once its folder is synced, which some filesystems refuse. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Durability across a power loss is lost here, atomicity is not.
  }
}

/**
 * Writes `value` as JSON so readers see either nothing or the whole file.
 * exclusive: fails with EEXIST instead of replacing an existing file.
 */
function writeJsonAtomic(path: string, value: unknown, exclusive = false): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  // A dot-name that ends in .tmp, so listings never mistake it for an entry.
  const tmp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // The umask decides who may read: the agent and the person at the CLI are often different users.
  const fd = openSync(tmp, 'wx', 0o666);
  try {
    try {
      // writeFileSync on a descriptor loops until every byte is written.
      writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (exclusive) linkSync(tmp, path);
    else renameSync(tmp, path);
  } finally {
    removeIfPresent(tmp);
  }
  syncFolder(folder);
}

/** Resolves after `ms`, or early when `signal` aborts; never leaves a timer or listener behind. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class ModerationQueue {
  private readonly root: string;

  constructor(workDir: string) {
    this.root = join(workDir, 'moderation');
  }

  // ---- agent side ----

  /** Replaces an earlier entry for the job (an agent re-offering after a restart); a decision already made stays. */
  enqueue(offer: PendingOffer): void {
    writeJsonAtomic(this.pendingPath(checkJobId(offer.jobId)), offer);
  }

  /** The person's decision, if one was made; consuming it removes the decision and the pending entry. */
  takeDecision(jobId: string): HumanDecision | undefined {
    const decisionPath = this.decisionPath(checkJobId(jobId));
    const takenPath = this.takenPath(jobId);
    // Moved aside before the pending entry goes, so a CLI that sees the pending entry gone
    // can tell "the agent took it" from "the agent had already given up" (see decide).
    try {
      renameSync(decisionPath, takenPath);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    const decision = readJson<HumanDecision | ExpiryMarker>(takenPath);
    if (decision === undefined) return undefined;
    if (isMarker(decision)) {
      // Left by an agent that gave up and stopped before tidying; nobody decided.
      removeIfPresent(takenPath);
      return undefined;
    }
    // The pending entry goes first: a crash between the two leaves the decision to be taken again, never lost.
    removeIfPresent(this.pendingPath(jobId));
    removeIfPresent(takenPath);
    return decision;
  }

  /**
   * Polls for a person's decision until `expiresAt`. On expiry the pending
   * entry is removed and a decision made in the same instant still wins.
   * On abort the entry stays, so a restarted agent can wait for it again.
   */
  async waitForDecision(jobId: string, expiresAt: Date, signal?: AbortSignal, pollMs = DEFAULT_POLL_MS): Promise<WaitOutcome<HumanDecision>> {
    checkJobId(jobId);
    for (;;) {
      if (signal?.aborted) return 'aborted';
      const decision = this.takeDecision(jobId);
      if (decision) return decision;
      const remaining = expiresAt.getTime() - Date.now();
      if (remaining <= 0) return this.expireOffer(jobId);
      await pause(Math.min(pollMs, remaining), signal);
    }
  }

  /** A release left from an earlier collection of the same round (its fit, say) is cleared: it answered another question. */
  requestRelease(r: PendingRelease): void {
    const releasedPath = this.releasePath(checkJobId(r.jobId), checkRound(r.round), 'released');
    const earlier = readJson<Release | ExpiryMarker>(releasedPath);
    if (earlier && (isMarker(earlier) || earlier.collectionId !== r.collectionId)) removeIfPresent(releasedPath);
    writeJsonAtomic(this.releasePath(r.jobId, r.round, 'pending'), r);
  }

  /**
   * Polls for a person's release of the round's pending output until
   * `deadline`. Afterwards the pending and released files stay, so a
   * restarted agent finds the release again, until the round's next output
   * is requested or forgetJob; on expiry the pending release goes.
   */
  async waitForRelease(jobId: string, round: number, deadline: Date, signal?: AbortSignal, pollMs = DEFAULT_POLL_MS): Promise<WaitOutcome<Release>> {
    checkJobId(jobId);
    checkRound(round);
    for (;;) {
      if (signal?.aborted) return 'aborted';
      const release = this.readRelease(jobId, round);
      if (release) return release;
      const remaining = deadline.getTime() - Date.now();
      if (remaining <= 0) return this.expireRelease(jobId, round);
      await pause(Math.min(pollMs, remaining), signal);
    }
  }

  forgetJob(jobId: string): void {
    checkJobId(jobId);
    rmSync(join(this.root, 'releases', jobId), { recursive: true, force: true });
    removeIfPresent(this.pendingPath(jobId));
    removeIfPresent(this.decisionPath(jobId));
    removeIfPresent(this.takenPath(jobId));
  }

  // ---- CLI side ----

  /** Offers waiting for a decision, oldest first; offers decided but not yet taken by the agent are left out. */
  pending(): PendingOffer[] {
    return this.scanPending().offers;
  }

  /** As pending(), plus the files that could not be read (a person may have edited or truncated them). */
  scanPending(): { offers: PendingOffer[]; unreadable: UnreadableEntry[] } {
    const offers: PendingOffer[] = [];
    const unreadable: UnreadableEntry[] = [];
    for (const name of this.entries(join(this.root, 'pending'), '.json')) {
      const jobId = name.slice(0, -'.json'.length);
      const file = join(this.root, 'pending', name);
      try {
        const offer = this.readOffer(checkJobId(jobId));
        if (offer && !this.hasDecision(jobId)) offers.push(offer);
      } catch (err) {
        unreadable.push({ file, problem: (err as Error).message });
      }
    }
    offers.sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.jobId.localeCompare(b.jobId));
    return { offers, unreadable };
  }

  get(jobId: string): PendingOffer | undefined {
    return this.readOffer(checkJobId(jobId));
  }

  decide(jobId: string, d: { approve: boolean; reason: string; by: string }, now: Date = new Date()): HumanDecision {
    checkJobId(jobId);
    const reason = d.reason.trim();
    const by = d.by.trim();
    if (!d.approve && reason === '') throw moderationError('REASON_REQUIRED', `rejecting job ${jobId} needs a reason; the requester is told why`, { jobId });
    if (by === '') throw moderationError('DECIDER_REQUIRED', `a decision on job ${jobId} needs the name of the person making it`, { jobId });
    const offer = this.readOffer(jobId);
    if (!offer) throw this.notPending(jobId);
    const earlier = this.readDecision(jobId);
    if (earlier) throw this.alreadyDecided(jobId, earlier);
    if (!(now.getTime() < Date.parse(offer.expiresAt))) {
      throw moderationError('OFFER_EXPIRED', `the offer of job ${jobId} expired at ${offer.expiresAt}; the agent declines it`, { jobId, expiresAt: offer.expiresAt });
    }
    const decision: HumanDecision = { jobId, approve: d.approve, reason, by, at: now.toISOString() };
    try {
      writeJsonAtomic(this.decisionPath(jobId), decision, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Someone (another person, or the agent giving up) got there first.
      const winner = this.readDecision(jobId);
      if (winner) throw this.alreadyDecided(jobId, winner);
      throw moderationError('OFFER_EXPIRED', `the offer of job ${jobId} expired at ${offer.expiresAt}; the agent declines it`, { jobId, expiresAt: offer.expiresAt });
    }
    // The agent removes the pending entry only after moving a decision aside, so an entry
    // gone while our file is still in place means the agent gave up before we wrote it.
    if (!this.exists(this.pendingPath(jobId)) && this.exists(this.decisionPath(jobId))) {
      removeIfPresent(this.decisionPath(jobId));
      throw moderationError('OFFER_EXPIRED', `the offer of job ${jobId} expired at ${offer.expiresAt} before the decision was recorded; the agent declined it`, { jobId, expiresAt: offer.expiresAt });
    }
    return decision;
  }

  /** Round outputs waiting for release, by job then round; those released or unreadable are left out. */
  pendingReleases(jobId?: string): PendingRelease[] {
    const jobs = jobId === undefined ? this.entries(join(this.root, 'releases')) : [checkJobId(jobId)];
    const out: PendingRelease[] = [];
    for (const job of jobs) {
      if (!JOB_ID.test(job)) continue;
      for (const name of this.entries(join(this.root, 'releases', job), '.pending.json')) {
        const round = Number(name.slice(0, -'.pending.json'.length));
        if (!Number.isInteger(round) || round < 0) continue;
        try {
          const pending = readJson<PendingRelease>(this.releasePath(job, round, 'pending'));
          const released = readJson<Release | ExpiryMarker>(this.releasePath(job, round, 'released'));
          if (pending && (!released || (!isMarker(released) && released.collectionId !== pending.collectionId))) out.push(pending);
        } catch {
          // An unreadable request cannot be released; the agent's deadline retires it.
        }
      }
    }
    return out.sort((a, b) => a.jobId.localeCompare(b.jobId) || a.round - b.round);
  }

  release(jobId: string, round: number, by: string, reason = '', now: Date = new Date()): Release {
    checkJobId(jobId);
    checkRound(round);
    if (by.trim() === '') throw moderationError('DECIDER_REQUIRED', `releasing round ${round} of job ${jobId} needs the name of the person releasing it`, { jobId, round });
    const pendingPath = this.releasePath(jobId, round, 'pending');
    const releasedPath = this.releasePath(jobId, round, 'released');
    const pending = readJson<PendingRelease>(pendingPath);
    const expired = (): ShoalError =>
      moderationError('RELEASE_EXPIRED', `round ${round} of job ${jobId} waited for release until ${pending?.deadline}; the agent withheld it`, { jobId, round, deadline: pending?.deadline });
    const alreadyReleased = (r: Release): ShoalError =>
      moderationError('ALREADY_RELEASED', `round ${round} of job ${jobId} (${r.collectionId}) was already released by ${r.by} at ${r.at}`, { jobId, round, collectionId: r.collectionId });
    if (!pending) throw this.noPendingRelease(jobId, round);
    const earlier = readJson<Release | ExpiryMarker>(releasedPath);
    if (isMarker(earlier)) throw expired();
    // One of an earlier collection of this round that the agent has not cleared yet.
    if (earlier && earlier.collectionId !== pending.collectionId) removeIfPresent(releasedPath);
    else if (earlier) throw alreadyReleased(earlier);
    if (!(now.getTime() < Date.parse(pending.deadline))) throw expired();
    const record: Release = { jobId, round, collectionId: pending.collectionId, by: by.trim(), at: now.toISOString(), reason: reason.trim() };
    try {
      writeJsonAtomic(releasedPath, record, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const winner = readJson<Release | ExpiryMarker>(releasedPath);
      if (winner && !isMarker(winner) && winner.collectionId === pending.collectionId) throw alreadyReleased(winner);
      throw expired();
    }
    // The agent removes a pending release only when it gives up, never after a release; and a
    // different collection pending now means the agent moved on to the next output of the round.
    const current = readJson<PendingRelease>(pendingPath);
    if (current?.collectionId !== pending.collectionId) {
      removeIfPresent(releasedPath);
      if (!current) throw expired();
      throw moderationError('NOT_PENDING', `round ${round} of job ${jobId} now waits with another output (${current.collectionId}); look again with: shoal agent release ${jobId}`, { jobId, round });
    }
    return record;
  }

  // ---- internals ----

  private expireOffer(jobId: string): WaitOutcome<HumanDecision> {
    const marker: ExpiryMarker = { expired: true, jobId, at: new Date().toISOString() };
    try {
      writeJsonAtomic(this.decisionPath(jobId), marker, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A person decided in the same instant; their decision stands.
      const decision = this.takeDecision(jobId);
      if (decision) return decision;
    }
    removeIfPresent(this.pendingPath(jobId));
    removeIfPresent(this.decisionPath(jobId));
    return 'expired';
  }

  private expireRelease(jobId: string, round: number): WaitOutcome<Release> {
    const releasedPath = this.releasePath(jobId, round, 'released');
    const marker: ExpiryMarker = { expired: true, jobId, at: new Date().toISOString() };
    try {
      writeJsonAtomic(releasedPath, marker, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const release = this.readRelease(jobId, round);
      if (release) return release;
    }
    removeIfPresent(this.releasePath(jobId, round, 'pending'));
    removeIfPresent(releasedPath);
    return 'expired';
  }

  /** The person's release of the output now pending for the round; one of an earlier collection does not count. */
  private readRelease(jobId: string, round: number): Release | undefined {
    const found = readJson<Release | ExpiryMarker>(this.releasePath(jobId, round, 'released'));
    if (!found || isMarker(found)) return undefined;
    const pending = readJson<PendingRelease>(this.releasePath(jobId, round, 'pending'));
    return pending && pending.collectionId === found.collectionId ? found : undefined;
  }

  private readOffer(jobId: string): PendingOffer | undefined {
    const offer = readJson<PendingOffer>(this.pendingPath(jobId));
    if (offer === undefined) return undefined;
    if (typeof offer !== 'object' || offer === null || offer.jobId !== jobId || typeof offer.expiresAt !== 'string' || typeof offer.spec !== 'object') {
      throw moderationError('PENDING_UNREADABLE', `the pending entry of job ${jobId} is not an offer the agent wrote`, { jobId });
    }
    return offer;
  }

  /** A person's decision not yet taken by the agent (an expiry marker is no decision). */
  private readDecision(jobId: string): HumanDecision | undefined {
    for (const path of [this.decisionPath(jobId), this.takenPath(jobId)]) {
      const found = readJson<HumanDecision | ExpiryMarker>(path);
      if (found && !isMarker(found)) return found;
    }
    return undefined;
  }

  private hasDecision(jobId: string): boolean {
    return this.exists(this.decisionPath(jobId)) || this.exists(this.takenPath(jobId));
  }

  private notPending(jobId: string): ShoalError {
    const waiting = this.pending().map((o) => o.jobId);
    const list = waiting.length === 0 ? 'no offers are waiting' : `waiting: ${waiting.join(', ')}`;
    return moderationError('NOT_PENDING', `no offer of job ${jobId} is waiting for a decision (it may have been decided or have expired); ${list}`, { jobId, waiting });
  }

  private noPendingRelease(jobId: string, round: number): ShoalError {
    const waiting = this.pendingReleases(jobId).map((r) => r.round);
    const list = waiting.length === 0 ? `no rounds of job ${jobId} are waiting` : `rounds waiting: ${waiting.join(', ')}`;
    return moderationError('NOT_PENDING', `round ${round} of job ${jobId} is not waiting for release; ${list}`, { jobId, round, waiting });
  }

  private alreadyDecided(jobId: string, d: HumanDecision): ShoalError {
    return moderationError('ALREADY_DECIDED', `job ${jobId} was already ${d.approve ? 'approved' : 'rejected'} by ${d.by} at ${d.at}`, { jobId, approve: d.approve, by: d.by, at: d.at });
  }

  /** Names in `folder` ending in `suffix`, skipping the writers' temporary files; none when the folder does not exist. */
  private entries(folder: string, suffix = ''): string[] {
    try {
      return readdirSync(folder).filter((name) => !name.startsWith('.') && name.endsWith(suffix)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  private exists(path: string): boolean {
    return existsSync(path);
  }

  private pendingPath(jobId: string): string {
    return join(this.root, 'pending', `${jobId}.json`);
  }

  private decisionPath(jobId: string): string {
    return join(this.root, 'decisions', `${jobId}.json`);
  }

  /** Where the agent moves a decision while consuming it; not ".json", so no job id can name it. */
  private takenPath(jobId: string): string {
    return join(this.root, 'decisions', `${jobId}.json.taken`);
  }

  private releasePath(jobId: string, round: number, state: 'pending' | 'released'): string {
    return join(this.root, 'releases', jobId, `${round}.${state}.json`);
  }
}
