export { AggregatorServer, type AggregatorOptions } from './aggregator-server';
export { AggregatorClient, type CollectedAggregate } from './aggregator-client';
export { PlainAggregation, type Aggregation, type AggregateResult } from './aggregation';
export { AggregatorError, type AggregatorErrorCode } from './errors';
