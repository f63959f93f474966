// Original file: proto/shoal/v1/aggregator.proto

import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from '../../shoal/v1/VectorHeader';

export interface AggregateHeader {
  'contributors'?: (string)[];
  'missing'?: (string)[];
  'totalWeight'?: (number | string);
  'vector'?: (_shoal_v1_VectorHeader | null);
}

export interface AggregateHeader__Output {
  'contributors': (string)[];
  'missing': (string)[];
  'totalWeight': (number);
  'vector': (_shoal_v1_VectorHeader__Output | null);
}
