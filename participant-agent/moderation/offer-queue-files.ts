/**
 * The offer half of the moderation queue:
 *
 *   <root>/pending/<jobId>.json          an offer waiting (agent writes)
 *   <root>/decisions/<jobId>.json        a person's decision (CLI writes, agent consumes)
 *   <root>/decisions/<jobId>.json.taken  a decision the agent is consuming
 *
 * A decision file is created with link(2), which fails when the file exists,
 * so it is the single arbiter between a person deciding and the agent giving
 * up at the expiry time: the agent claims the same name with an "expired"
 * marker, and whoever links first wins.
 *
 * Every decision names the SHA-256 of the offer the person read, and the
 * agent applies it to that offer only. The requester may send a different
 * offer under the same job id (after an agent restart, say): the pending
 * entry is replaced, a decision on the old one is discarded unapplied, and
 * the new offer waits for a decision of its own.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ShoalError } from '../../common/errors';
import { isMissing, isTaken, listEntries, readJson, removeIfPresent, writeJsonAtomic } from './atomic-json';
import { checkJobId, moderationError } from './moderation-errors';
import { checkOfferSha256, parseOfferPrefix, shortHash } from './offer-hash';
import { DEFAULT_POLL_MS, pause } from './pause';
import { expiryMarker, isMarker, type ExpiryMarker, type HumanDecision, type PendingOffer, type UnreadableEntry, type WaitOutcome } from './records';

export interface DecisionInput {
  approve: boolean;
  reason: string;
  by: string;
  /** The offer the person read: its SHA-256 or a prefix of at least 32 hex digits; required to approve. */
  offer?: string;
}

export interface DecisionWaitOptions {
  signal?: AbortSignal;
  pollMs?: number;
  /** Told of each decision found that was made on another offer of the job; it is removed, not applied. */
  onStale?(stale: HumanDecision): void;
}

export class OfferQueueFiles {
  constructor(private readonly root: string) {}

  // ---- agent side ----

  /** Replaces an earlier entry for the job (an agent re-offering after a restart); a decision already made stays. */
  enqueue(offer: PendingOffer): void {
    checkOfferSha256(offer.offerSha256);
    writeJsonAtomic(this.pendingPath(checkJobId(offer.jobId)), offer);
  }

  /**
   * The person's decision on the offer `offerSha256`, if one was made;
   * consuming it removes the decision and the pending entry. A decision on
   * another offer of the job is removed unapplied and handed to `onStale`;
   * the pending entry stays, so the offer waits for its own decision.
   */
  takeDecision(jobId: string, offerSha256: string, onStale?: (stale: HumanDecision) => void): HumanDecision | undefined {
    checkOfferSha256(offerSha256);
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
    if (decision.offerSha256 !== offerSha256) {
      // The person read another offer (a decision file without a hash names none): their answer is not this offer's.
      removeIfPresent(takenPath);
      onStale?.(decision);
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
  async waitForDecision(jobId: string, offerSha256: string, expiresAt: Date, options: DecisionWaitOptions = {}): Promise<WaitOutcome<HumanDecision>> {
    checkJobId(jobId);
    checkOfferSha256(offerSha256);
    const { signal, pollMs = DEFAULT_POLL_MS, onStale } = options;
    for (;;) {
      if (signal?.aborted) return 'aborted';
      const decision = this.takeDecision(jobId, offerSha256, onStale);
      if (decision) return decision;
      const remaining = expiresAt.getTime() - Date.now();
      if (remaining <= 0) return this.expire(jobId, offerSha256, onStale);
      await pause(Math.min(pollMs, remaining), signal);
    }
  }

  forget(jobId: string): void {
    checkJobId(jobId);
    removeIfPresent(this.pendingPath(jobId));
    removeIfPresent(this.decisionPath(jobId));
    removeIfPresent(this.takenPath(jobId));
  }

  // ---- CLI side ----

  /** Offers waiting for a decision, oldest first, plus the files that could not be read; offers decided but not yet taken are left out. */
  scan(): { offers: PendingOffer[]; unreadable: UnreadableEntry[] } {
    const offers: PendingOffer[] = [];
    const unreadable: UnreadableEntry[] = [];
    for (const name of listEntries(join(this.root, 'pending'), '.json')) {
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

  /**
   * Records a person's decision on the offer waiting for the job. `offer`
   * names the offer they read (its SHA-256 or a prefix of 12+ hex digits);
   * an approval must name one, and OFFER_CHANGED refuses a decision when the
   * offer waiting now is another. A rejection without it applies to the
   * offer waiting now: declining needs no proof of what was read.
   */
  decide(jobId: string, d: DecisionInput, now: Date): HumanDecision {
    checkJobId(jobId);
    const reason = d.reason.trim();
    const by = d.by.trim();
    const named = d.offer === undefined ? undefined : parseOfferPrefix(d.offer);
    if (d.approve && named === undefined) {
      throw moderationError('OFFER_HASH_REQUIRED', `approving job ${jobId} needs the SHA-256 of the offer you read (shoal agent show ${jobId} prints it), so the approval cannot apply to another offer`, { jobId });
    }
    if (!d.approve && reason === '') throw moderationError('REASON_REQUIRED', `rejecting job ${jobId} needs a reason; the requester is told why`, { jobId });
    if (by === '') throw moderationError('DECIDER_REQUIRED', `a decision on job ${jobId} needs the name of the person making it`, { jobId });
    const offer = this.readOffer(jobId);
    if (!offer) throw this.notPending(jobId);
    if (named !== undefined && !offer.offerSha256.startsWith(named)) throw offerChanged(jobId, named, offer.offerSha256);
    const earlier = this.readDecision(jobId);
    if (earlier && earlier.offerSha256 === offer.offerSha256) throw alreadyDecided(jobId, earlier);
    if (earlier) {
      throw moderationError('OFFER_CHANGED', `a decision on an earlier offer of job ${jobId} (${earlier.offerSha256 ? shortHash(earlier.offerSha256) : 'no hash'}) waits for the agent to discard it; try again in a moment`, { jobId, offerSha256: offer.offerSha256, decidedOfferSha256: earlier.offerSha256 ?? null });
    }
    const expired = (): ShoalError =>
      moderationError('OFFER_EXPIRED', `the offer of job ${jobId} expired at ${offer.expiresAt}; the agent declines it`, { jobId, expiresAt: offer.expiresAt });
    if (!(now.getTime() < Date.parse(offer.expiresAt))) throw expired();
    const decision: HumanDecision = { jobId, offerSha256: offer.offerSha256, approve: d.approve, reason, by, at: now.toISOString() };
    try {
      writeJsonAtomic(this.decisionPath(jobId), decision, true);
    } catch (err) {
      if (!isTaken(err)) throw err;
      // Someone (another person, or the agent giving up) got there first.
      const winner = this.readDecision(jobId);
      if (winner) throw alreadyDecided(jobId, winner);
      throw expired();
    }
    // The agent removes the pending entry only after moving a decision aside, so an entry
    // gone while our file is still in place means the agent gave up before we wrote it.
    if (!existsSync(this.pendingPath(jobId)) && existsSync(this.decisionPath(jobId))) {
      removeIfPresent(this.decisionPath(jobId));
      throw moderationError('OFFER_EXPIRED', `the offer of job ${jobId} expired at ${offer.expiresAt} before the decision was recorded; the agent declined it`, { jobId, expiresAt: offer.expiresAt });
    }
    // The agent replaced the entry while we wrote: it will discard our decision, and the person should know now.
    const waitingNow = this.readOfferQuietly(jobId);
    if (waitingNow && waitingNow.offerSha256 !== decision.offerSha256) throw offerChanged(jobId, decision.offerSha256, waitingNow.offerSha256);
    return decision;
  }

  // ---- internals ----

  private expire(jobId: string, offerSha256: string, onStale?: (stale: HumanDecision) => void): WaitOutcome<HumanDecision> {
    // A stale decision in the way is discarded and the marker tried again; a person's decision on this offer stands.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeJsonAtomic(this.decisionPath(jobId), expiryMarker(jobId), true);
        break;
      } catch (err) {
        if (!isTaken(err)) throw err;
        // A person decided in the same instant; their decision stands.
        const decision = this.takeDecision(jobId, offerSha256, onStale);
        if (decision) return decision;
      }
    }
    removeIfPresent(this.pendingPath(jobId));
    removeIfPresent(this.decisionPath(jobId));
    return 'expired';
  }

  /** The pending offer; PENDING_UNREADABLE when the file is not JSON or not an offer (a person may have edited or truncated it). */
  private readOffer(jobId: string): PendingOffer | undefined {
    let offer: PendingOffer | undefined;
    try {
      offer = readJson<PendingOffer>(this.pendingPath(jobId));
    } catch (err) {
      if ((err as Error).name !== 'SyntaxError') throw err;
      throw moderationError('PENDING_UNREADABLE', `the pending entry of job ${jobId} is not JSON: ${(err as Error).message}`, { jobId }, err);
    }
    if (offer === undefined) return undefined;
    if (typeof offer !== 'object' || offer === null || offer.jobId !== jobId || typeof offer.expiresAt !== 'string' || typeof offer.spec !== 'object' || !/^[0-9a-f]{64}$/.test(String(offer.offerSha256))) {
      throw moderationError('PENDING_UNREADABLE', `the pending entry of job ${jobId} is not an offer the agent wrote`, { jobId });
    }
    return offer;
  }

  /** The pending offer, or undefined when it is gone or unreadable (a check after the fact, not the decision's basis). */
  private readOfferQuietly(jobId: string): PendingOffer | undefined {
    try {
      return this.readOffer(jobId);
    } catch {
      return undefined;
    }
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
    return existsSync(this.decisionPath(jobId)) || existsSync(this.takenPath(jobId));
  }

  private notPending(jobId: string): ShoalError {
    const waiting = this.scan().offers.map((o) => o.jobId);
    const list = waiting.length === 0 ? 'no offers are waiting' : `waiting: ${waiting.join(', ')}`;
    return moderationError('NOT_PENDING', `no offer of job ${jobId} is waiting for a decision (it may have been decided or have expired); ${list}`, { jobId, waiting });
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
}

function offerChanged(jobId: string, named: string, waiting: string): ShoalError {
  return moderationError(
    'OFFER_CHANGED',
    `the offer of job ${jobId} waiting now is ${shortHash(waiting)}…, not the ${shortHash(named)}… you named: the requester sent a different offer under the same job id; read it with shoal agent show ${jobId} and decide on it`,
    { jobId, offerSha256: waiting, named },
  );
}

function alreadyDecided(jobId: string, d: HumanDecision): ShoalError {
  return moderationError('ALREADY_DECIDED', `job ${jobId} was already ${d.approve ? 'approved' : 'rejected'} by ${d.by} at ${d.at}`, { jobId, approve: d.approve, by: d.by, at: d.at });
}
