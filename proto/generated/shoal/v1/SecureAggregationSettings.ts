// Original file: proto/shoal/v1/secure_aggregation.proto

import type { IdentityProof as _shoal_v1_IdentityProof, IdentityProof__Output as _shoal_v1_IdentityProof__Output } from '../../shoal/v1/IdentityProof';
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
  'identityProofs'?: ({[key: string]: _shoal_v1_IdentityProof});
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
  'identityProofs': ({[key: string]: _shoal_v1_IdentityProof__Output});
}
