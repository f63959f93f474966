/**
 * The release half of the moderation queue, for policies that hold each
 * round's output for a person:
 *
 *   <root>/releases/<jobId>/<round>.pending.json   a round's output waiting (agent writes)
 *   <root>/releases/<jobId>/<round>.released.json  a person's release (CLI writes)
 *
 * As with decisions, a release is created with link(2) and the agent claims
 * the same name with an "expired" marker when it gives up; whoever links
 * first wins. A round holds several outputs in turn (a fit, then an
 * evaluate collection), so a release counts only for the collection it names.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ShoalError } from '../../common/errors';
import { isTaken, listEntries, readJson, removeIfPresent, writeJsonAtomic } from './atomic-json';
import { checkJobId, checkRound, isJobId, moderationError } from './moderation-errors';
import { DEFAULT_POLL_MS, pause } from './pause';
import { expiryMarker, isMarker, type ExpiryMarker, type PendingRelease, type Release, type WaitOutcome } from './records';

export class ReleaseQueueFiles {
  constructor(private readonly root: string) {}

  // ---- agent side ----

  /** A release left from an earlier collection of the same round (its fit, say) is cleared: it answered another question. */
  request(r: PendingRelease): void {
    const releasedPath = this.path(checkJobId(r.jobId), checkRound(r.round), 'released');
    const earlier = readJson<Release | ExpiryMarker>(releasedPath);
    if (earlier && (isMarker(earlier) || earlier.collectionId !== r.collectionId)) removeIfPresent(releasedPath);
    writeJsonAtomic(this.path(r.jobId, r.round, 'pending'), r);
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
      if (remaining <= 0) return this.expire(jobId, round);
      await pause(Math.min(pollMs, remaining), signal);
    }
  }

  forget(jobId: string): void {
    rmSync(join(this.root, 'releases', checkJobId(jobId)), { recursive: true, force: true });
  }

  // ---- CLI side ----

  /** Round outputs waiting for release, by job then round; those released or unreadable are left out. */
  pending(jobId?: string): PendingRelease[] {
    const jobs = jobId === undefined ? listEntries(join(this.root, 'releases')) : [checkJobId(jobId)];
    const out: PendingRelease[] = [];
    for (const job of jobs) {
      if (!isJobId(job)) continue;
      for (const name of listEntries(join(this.root, 'releases', job), '.pending.json')) {
        const round = Number(name.slice(0, -'.pending.json'.length));
        if (!Number.isInteger(round) || round < 0) continue;
        try {
          const pending = readJson<PendingRelease>(this.path(job, round, 'pending'));
          const released = readJson<Release | ExpiryMarker>(this.path(job, round, 'released'));
          if (pending && (!released || (!isMarker(released) && released.collectionId !== pending.collectionId))) out.push(pending);
        } catch {
          // An unreadable request cannot be released; the agent's deadline retires it.
        }
      }
    }
    return out.sort((a, b) => a.jobId.localeCompare(b.jobId) || a.round - b.round);
  }

  release(jobId: string, round: number, by: string, reason: string, now: Date): Release {
    checkJobId(jobId);
    checkRound(round);
    if (by.trim() === '') throw moderationError('DECIDER_REQUIRED', `releasing round ${round} of job ${jobId} needs the name of the person releasing it`, { jobId, round });
    const pendingPath = this.path(jobId, round, 'pending');
    const releasedPath = this.path(jobId, round, 'released');
    const pending = readJson<PendingRelease>(pendingPath);
    const expired = (): ShoalError =>
      moderationError('RELEASE_EXPIRED', `round ${round} of job ${jobId} waited for release until ${pending?.deadline}; the agent withheld it`, { jobId, round, deadline: pending?.deadline });
    const alreadyReleased = (r: Release): ShoalError =>
      moderationError('ALREADY_RELEASED', `round ${round} of job ${jobId} (${r.collectionId}) was already released by ${r.by} at ${r.at}`, { jobId, round, collectionId: r.collectionId });
    if (!pending) throw this.notPending(jobId, round);
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
      if (!isTaken(err)) throw err;
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

  private expire(jobId: string, round: number): WaitOutcome<Release> {
    const releasedPath = this.path(jobId, round, 'released');
    try {
      writeJsonAtomic(releasedPath, expiryMarker(jobId), true);
    } catch (err) {
      if (!isTaken(err)) throw err;
      const release = this.readRelease(jobId, round);
      if (release) return release;
    }
    removeIfPresent(this.path(jobId, round, 'pending'));
    removeIfPresent(releasedPath);
    return 'expired';
  }

  /** The person's release of the output now pending for the round; one of an earlier collection does not count. */
  private readRelease(jobId: string, round: number): Release | undefined {
    const found = readJson<Release | ExpiryMarker>(this.path(jobId, round, 'released'));
    if (!found || isMarker(found)) return undefined;
    const pending = readJson<PendingRelease>(this.path(jobId, round, 'pending'));
    return pending && pending.collectionId === found.collectionId ? found : undefined;
  }

  private notPending(jobId: string, round: number): ShoalError {
    const waiting = this.pending(jobId).map((r) => r.round);
    const list = waiting.length === 0 ? `no rounds of job ${jobId} are waiting` : `rounds waiting: ${waiting.join(', ')}`;
    return moderationError('NOT_PENDING', `round ${round} of job ${jobId} is not waiting for release; ${list}`, { jobId, round, waiting });
  }

  private path(jobId: string, round: number, state: 'pending' | 'released'): string {
    return join(this.root, 'releases', jobId, `${round}.${state}.json`);
  }
}
