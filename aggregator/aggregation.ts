/**
 * How contributions combine into what the coordinator receives. Plain
 * aggregation adds weighted vectors in float64; secure aggregation will
 * implement the same interface over masked, quantised inputs, so the
 * collection and service code around it stay as they are.
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
  result(): AggregateResult;
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

  result(): AggregateResult {
    return { weightedSum: this.sum, totalWeight: this.totalWeight, contributors: [...this.contributors] };
  }
}
