// Original file: proto/shoal/v1/aggregator.proto

import type { AggregateHeader as _shoal_v1_AggregateHeader, AggregateHeader__Output as _shoal_v1_AggregateHeader__Output } from '../../shoal/v1/AggregateHeader';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from '../../shoal/v1/VectorChunk';

export interface AggregateMessage {
  'header'?: (_shoal_v1_AggregateHeader | null);
  'chunk'?: (_shoal_v1_VectorChunk | null);
  'body'?: "header"|"chunk";
}

export interface AggregateMessage__Output {
  'header'?: (_shoal_v1_AggregateHeader__Output | null);
  'chunk'?: (_shoal_v1_VectorChunk__Output | null);
  'body'?: "header"|"chunk";
}
