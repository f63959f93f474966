/**
 * What the moderation queue stores: the files the agent writes for a person
 * (offers, round outputs) and the files a person writes back (decisions,
 * releases), plus the marker the agent links in their place when it gives up.
 */
import type { JobSpec } from '../../common/job-spec';

export interface PendingOffer {
  jobId: string;
  /**
   * SHA-256 of the exact signed offer bytes. A person's decision names it and
   * applies to this offer only: a requester who sends another offer under the
   * same job id cannot borrow the answer.
   */
  offerSha256: string;
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
  /** The offer the person decided on (its full SHA-256); the agent applies the decision to that offer only. */
  offerSha256: string;
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
export interface ExpiryMarker {
  expired: true;
  jobId: string;
  at: string;
}

export function expiryMarker(jobId: string, now: Date = new Date()): ExpiryMarker {
  return { expired: true, jobId, at: now.toISOString() };
}

export function isMarker(value: unknown): value is ExpiryMarker {
  return typeof value === 'object' && value !== null && (value as { expired?: unknown }).expired === true;
}
