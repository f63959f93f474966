// Original file: proto/shoal/v1/aggregator.proto

import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from '../../shoal/v1/VectorHeader';

export interface ContributionHeader {
  'jobId'?: (string);
  'orgId'?: (string);
  'collectionId'?: (string);
  'weight'?: (number | string);
  'vector'?: (_shoal_v1_VectorHeader | null);
}

export interface ContributionHeader__Output {
  'jobId': (string);
  'orgId': (string);
  'collectionId': (string);
  'weight': (number);
  'vector': (_shoal_v1_VectorHeader__Output | null);
}
