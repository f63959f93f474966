/**
 * How contributions combine into what the coordinator receives. Plain
 * aggregation adds weighted vectors in float64; secure aggregation
 * (secure-aggregation.ts) adds masked inputs in Z_{2^32} and unmasks only
 * their sum. The collection code around them is the same for both.
 */
import type { NumericVector } from '../common/vector-codec';

export interface AggregateResult {
  /** Σ weight_i · vector_i over the contributors. */
  weightedSum: Float64Array;
  totalWeight: number;
  contributors: string[];
}

export interface Aggregation {
  add(orgId: string, weight: number, vector: NumericVector): void;
  /** The aggregate of everything added; secure aggregation first runs its unmasking phases. */
  result(): Promise<AggregateResult>;
  /** The participant will not answer any more (it reported a failure or disconnected). */
  markGone(orgId: string, reason: string): void;
  /** Stops any waiting (collection closed or aggregator shutting down); waiting participants are told `reason`. */
  dispose(reason?: unknown): void;
  /** Why no aggregate can come out any more (a failed secure-aggregation phase), if that is the case. */
  failureReason(): unknown;
}

export class PlainAggregation implements Aggregation {
  private readonly sum: Float64Array;
  private totalWeight = 0;
  private readonly contributors: string[] = [];

  constructor(elementCount: number) {
    this.sum = new Float64Array(elementCount);
  }

  add(orgId: string, weight: number, vector: NumericVector): void {
    const sum = this.sum;
    for (let i = 0; i < sum.length; i++) sum[i] += weight * vector[i];
    this.totalWeight += weight;
    this.contributors.push(orgId);
  }

  result(): Promise<AggregateResult> {
    return Promise.resolve({ weightedSum: this.sum, totalWeight: this.totalWeight, contributors: [...this.contributors] });
  }

  markGone(): void {}

  dispose(): void {}

  failureReason(): unknown {
    return undefined;
  }
}
