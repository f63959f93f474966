/**
 * One collection: the contributions of one round's cohort to one vector
 * (a model update, statistics, or evaluation sums). It settles when every
 * expected participant contributed or dropped, or when its deadline passes,
 * and yields the aggregate only if enough participants contributed.
 */
import type { NumericVector } from '../common/vector-codec';
import { PlainAggregation, type AggregateResult, type Aggregation } from './aggregation';
import { SecureAggregation } from './secure-aggregation';
import { AggregatorError } from './errors';

export interface CollectionOptions {
  collectionId: string;
  expectedOrgs: string[];
  minContributors: number;
  elementCount: number;
  dtype: 'DTYPE_FLOAT32' | 'DTYPE_FLOAT64' | 'DTYPE_UINT32';
  deadlineUnixMs: number;
}

export interface SettledCollection extends AggregateResult {
  /** Expected participants that did not contribute, with the reason. */
  missing: Array<{ orgId: string; reason: string }>;
}

export class Collection {
  private readonly aggregation: Aggregation;
  private readonly expected: Set<string>;
  private readonly contributed = new Set<string>();
  private readonly inProgress = new Set<string>();
  private readonly dropped = new Map<string, string>();
  private readonly settledPromise: Promise<SettledCollection>;
  private settle!: (result: SettledCollection) => void;
  private fail!: (err: unknown) => void;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(readonly options: CollectionOptions, aggregation?: Aggregation, now = Date.now()) {
    this.expected = new Set(options.expectedOrgs);
    this.aggregation = aggregation ?? new PlainAggregation(options.elementCount);
    this.settledPromise = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    // Callers attach their handler later (CollectAggregate); avoid an unhandled rejection meanwhile.
    this.settledPromise.catch(() => undefined);
    this.timer = setTimeout(() => this.close('deadline passed', 'no contribution before the deadline'), Math.max(0, options.deadlineUnixMs - now));
  }

  /** Checked when a contribution's header arrives, before any of its bytes are accepted. */
  admit(orgId: string, elementCount: number, dtype: string, weight: number): void {
    const id = this.options.collectionId;
    if (this.closed) throw new AggregatorError('COLLECTION_CLOSED', `collection ${id} is closed (its deadline passed or it was collected)`);
    if (!this.expected.has(orgId)) throw new AggregatorError('NOT_EXPECTED', `${orgId} is not in the cohort of collection ${id}`);
    if (this.contributed.has(orgId) || this.inProgress.has(orgId)) throw new AggregatorError('DUPLICATE_CONTRIBUTION', `${orgId} already contributed to collection ${id}`);
    if (this.dropped.has(orgId)) throw new AggregatorError('COLLECTION_CLOSED', `${orgId} was dropped from collection ${id}: ${this.dropped.get(orgId)}`);
    if (elementCount !== this.options.elementCount || dtype !== this.options.dtype) {
      throw new AggregatorError('INVALID_CONTRIBUTION', `collection ${id} takes ${this.options.elementCount} ${this.options.dtype} elements; ${orgId} sent ${elementCount} ${dtype}`);
    }
    if (!Number.isFinite(weight) || weight <= 0) throw new AggregatorError('INVALID_CONTRIBUTION', `contribution weight must be a positive number; ${orgId} sent ${weight}`);
    this.inProgress.add(orgId);
  }

  /** The whole vector arrived; it is added only now, so a broken stream never leaves a partial sum. */
  complete(orgId: string, weight: number, vector: NumericVector): void {
    this.inProgress.delete(orgId);
    if (this.closed) throw new AggregatorError('COLLECTION_CLOSED', `collection ${this.options.collectionId} closed before ${orgId}'s contribution finished`);
    // Dropped while uploading (it reported a failure): its late bytes must not count, or it would be counted twice.
    if (this.dropped.has(orgId)) throw new AggregatorError('COLLECTION_CLOSED', `${orgId} was dropped from collection ${this.options.collectionId} while its contribution was arriving`);
    // Masked inputs (Uint32Array) are always finite; float vectors are checked.
    for (let i = 0; !(vector instanceof Uint32Array) && i < vector.length; i++) {
      if (!Number.isFinite(vector[i])) {
        throw new AggregatorError('INVALID_CONTRIBUTION', `${orgId}'s contribution holds a non-finite value at element ${i}`);
      }
    }
    this.aggregation.add(orgId, weight, vector);
    this.contributed.add(orgId);
    this.settleIfDone();
  }

  /** A stream that broke off: the participant may try again before the deadline. */
  abandon(orgId: string): void {
    this.inProgress.delete(orgId);
  }

  markDropped(orgId: string, reason: string): void {
    if (!this.expected.has(orgId)) return;
    this.aggregation.markGone(orgId, reason);
    if (this.contributed.has(orgId) || this.dropped.has(orgId)) return;
    this.dropped.set(orgId, reason);
    this.settleIfDone();
  }

  /** The secure-aggregation phases of this collection; undefined for plain aggregation. */
  get secure(): SecureAggregation | undefined {
    return this.aggregation instanceof SecureAggregation ? this.aggregation : undefined;
  }

  get contributorCount(): number {
    return this.contributed.size;
  }

  settled(): Promise<SettledCollection> {
    return this.settledPromise;
  }

  /** Ends the collection now (deadline, shutdown); later contributions are refused. `missingReason` is what non-contributors are told. */
  close(reason: string, missingReason = reason): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const missing = [...this.expected]
      .filter((org) => !this.contributed.has(org))
      .map((orgId) => ({ orgId, reason: this.dropped.get(orgId) ?? missingReason }));
    const failure = this.aggregation.failureReason();
    if (failure) {
      // The real reason (a failed secure-aggregation phase), not a misleading count of contributors.
      this.aggregation.dispose();
      this.fail(failure);
      return;
    }
    if (this.contributed.size < this.options.minContributors) {
      const tooFew = new AggregatorError('QUORUM_NOT_MET', `collection ${this.options.collectionId}: ${this.contributed.size} of ${this.expected.size} participants contributed, fewer than the minimum ${this.options.minContributors} (${reason})`, { contributors: this.contributed.size, minimum: this.options.minContributors, missing });
      this.aggregation.dispose(tooFew);
      this.fail(tooFew);
      return;
    }
    this.aggregation.result().then(
      (result) => {
        // Secure aggregation may count fewer contributors than arrived (some could not be unmasked).
        const counted = new Set(result.contributors);
        const notCounted = [...this.expected].filter((org) => !counted.has(org)).map((orgId) => missing.find((m) => m.orgId === orgId) ?? { orgId, reason: 'dropped before unmasking' });
        this.settle({ ...result, missing: notCounted });
      },
      (err) => this.fail(err),
    ).finally(() => this.aggregation.dispose());
  }

  private settleIfDone(): void {
    if (this.contributed.size + this.dropped.size === this.expected.size) this.close('all expected participants answered');
  }
}
