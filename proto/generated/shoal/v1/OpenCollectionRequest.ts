// Original file: proto/shoal/v1/aggregator.proto

import type { Dtype as _shoal_v1_Dtype, Dtype__Output as _shoal_v1_Dtype__Output } from '../../shoal/v1/Dtype';
import type { SecureAggregationSettings as _shoal_v1_SecureAggregationSettings, SecureAggregationSettings__Output as _shoal_v1_SecureAggregationSettings__Output } from '../../shoal/v1/SecureAggregationSettings';
import type { Long } from '@grpc/proto-loader';

export interface OpenCollectionRequest {
  'jobId'?: (string);
  'collectionId'?: (string);
  'expectedOrgs'?: (string)[];
  'minContributors'?: (number);
  'elementCount'?: (number | string | Long);
  'dtype'?: (_shoal_v1_Dtype);
  'deadlineUnixMs'?: (number | string);
  'secure'?: (_shoal_v1_SecureAggregationSettings | null);
}

export interface OpenCollectionRequest__Output {
  'jobId': (string);
  'collectionId': (string);
  'expectedOrgs': (string)[];
  'minContributors': (number);
  'elementCount': (number);
  'dtype': (_shoal_v1_Dtype__Output);
  'deadlineUnixMs': (number);
  'secure': (_shoal_v1_SecureAggregationSettings__Output | null);
}
