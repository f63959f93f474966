/**
 * Offers and round outputs waiting for a person. The agent daemon and the
 * `shoal agent` CLI are separate processes that share only this folder, so
 * every state change is one atomic file operation and either side may
 * restart at any time without losing a decision.
 *
 *   <workDir>/moderation/pending/<jobId>.json                    an offer waiting (agent writes)
 *   <workDir>/moderation/decisions/<jobId>.json                  a person's decision (CLI writes, agent consumes)
 *   <workDir>/moderation/releases/<jobId>/<round>.pending.json   a round's output waiting (agent writes)
 *   <workDir>/moderation/releases/<jobId>/<round>.released.json  a person's release (CLI writes)
 *
 * Decisions and releases are created with link(2), which fails when the file
 * exists, so it is the single arbiter between a person and the agent giving
 * up at the deadline: the agent claims the same name with an "expired"
 * marker, and whoever links first wins. A decision names the SHA-256 of the
 * offer the person read and applies to that offer only. The offer files live in
 * moderation/offer-queue-files.ts, the release files in
 * moderation/release-queue-files.ts; this class is the one way in.
 */
import { join } from 'node:path';
import { OfferQueueFiles, type DecisionInput, type DecisionWaitOptions } from './moderation/offer-queue-files';
import type { HumanDecision, PendingOffer, PendingRelease, Release, UnreadableEntry, WaitOutcome } from './moderation/records';
import { ReleaseQueueFiles } from './moderation/release-queue-files';

export type { HumanDecision, PendingOffer, PendingRelease, Release, UnreadableEntry, WaitOutcome } from './moderation/records';
export type { DecisionInput, DecisionWaitOptions } from './moderation/offer-queue-files';

export class ModerationQueue {
  private readonly offers: OfferQueueFiles;
  private readonly releases: ReleaseQueueFiles;

  constructor(workDir: string) {
    const root = join(workDir, 'moderation');
    this.offers = new OfferQueueFiles(root);
    this.releases = new ReleaseQueueFiles(root);
  }

  // ---- agent side ----

  /** Replaces an earlier entry for the job (an agent re-offering after a restart); a decision already made stays. */
  enqueue(offer: PendingOffer): void {
    this.offers.enqueue(offer);
  }

  /**
   * The person's decision on the offer `offerSha256`, if one was made;
   * consuming it removes the decision and the pending entry. A decision on
   * another offer of the job goes to `onStale` and is removed, never applied.
   */
  takeDecision(jobId: string, offerSha256: string, onStale?: (stale: HumanDecision) => void): HumanDecision | undefined {
    return this.offers.takeDecision(jobId, offerSha256, onStale);
  }

  /**
   * Polls for a person's decision on the offer `offerSha256` until
   * `expiresAt`. On expiry the pending entry is removed and a decision made
   * in the same instant still wins. On abort the entry stays, so a restarted
   * agent can wait for it again. Decisions on another offer of the job are
   * discarded (options.onStale hears of each) and the wait goes on.
   */
  waitForDecision(jobId: string, offerSha256: string, expiresAt: Date, options?: DecisionWaitOptions): Promise<WaitOutcome<HumanDecision>> {
    return this.offers.waitForDecision(jobId, offerSha256, expiresAt, options);
  }

  /** A release left from an earlier collection of the same round (its fit, say) is cleared: it answered another question. */
  requestRelease(r: PendingRelease): void {
    this.releases.request(r);
  }

  /**
   * Polls for a person's release of the round's pending output until
   * `deadline`. Afterwards the pending and released files stay, so a
   * restarted agent finds the release again, until the round's next output
   * is requested or forgetJob; on expiry the pending release goes.
   */
  waitForRelease(jobId: string, round: number, deadline: Date, signal?: AbortSignal, pollMs?: number): Promise<WaitOutcome<Release>> {
    return this.releases.waitForRelease(jobId, round, deadline, signal, pollMs);
  }

  forgetJob(jobId: string): void {
    this.releases.forget(jobId);
    this.offers.forget(jobId);
  }

  // ---- CLI side ----

  /** Offers waiting for a decision, oldest first; offers decided but not yet taken by the agent are left out. */
  pending(): PendingOffer[] {
    return this.offers.scan().offers;
  }

  /** As pending(), plus the files that could not be read (a person may have edited or truncated them). */
  scanPending(): { offers: PendingOffer[]; unreadable: UnreadableEntry[] } {
    return this.offers.scan();
  }

  /** The offer waiting for the job; PENDING_UNREADABLE when its file is not one the agent wrote. */
  get(jobId: string): PendingOffer | undefined {
    return this.offers.get(jobId);
  }

  /** OFFER_CHANGED when `d.offer` does not name the offer waiting now; an approval must name it (OFFER_HASH_REQUIRED). */
  decide(jobId: string, d: DecisionInput, now: Date = new Date()): HumanDecision {
    return this.offers.decide(jobId, d, now);
  }

  /** Round outputs waiting for release, by job then round; those released or unreadable are left out. */
  pendingReleases(jobId?: string): PendingRelease[] {
    return this.releases.pending(jobId);
  }

  release(jobId: string, round: number, by: string, reason = '', now: Date = new Date()): Release {
    return this.releases.release(jobId, round, by, reason, now);
  }
}
