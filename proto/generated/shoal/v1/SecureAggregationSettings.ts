// Original file: proto/shoal/v1/secure_aggregation.proto

import type { Long } from '@grpc/proto-loader';

export interface SecureAggregationSettings {
  'threshold'?: (number);
  'degree'?: (number);
  'identityKeys'?: ({[key: string]: Buffer | Uint8Array | string});
  'encoding'?: (string);
  'clippingRange'?: (number | string);
  'maxWeight'?: (number | string);
  'encodedElementCount'?: (number | string | Long);
  'phaseTimeoutMs'?: (number | string);
}

export interface SecureAggregationSettings__Output {
  'threshold': (number);
  'degree': (number);
  'identityKeys': ({[key: string]: Buffer});
  'encoding': (string);
  'clippingRange': (number);
  'maxWeight': (number);
  'encodedElementCount': (number);
  'phaseTimeoutMs': (number);
}
