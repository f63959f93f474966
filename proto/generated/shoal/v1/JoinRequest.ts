// Original file: proto/shoal/v1/coordinator.proto

import type { IdentityProof as _shoal_v1_IdentityProof, IdentityProof__Output as _shoal_v1_IdentityProof__Output } from '../../shoal/v1/IdentityProof';

export interface JoinRequest {
  'jobId'?: (string);
  'orgId'?: (string);
  'agentVersion'?: (string);
  'identityKey'?: (Buffer | Uint8Array | string);
  'identityProof'?: (_shoal_v1_IdentityProof | null);
}

export interface JoinRequest__Output {
  'jobId': (string);
  'orgId': (string);
  'agentVersion': (string);
  'identityKey': (Buffer);
  'identityProof': (_shoal_v1_IdentityProof__Output | null);
}
