// Original file: proto/shoal/v1/secure_aggregation.proto

import type { SurvivorSignatureMessage as _shoal_v1_SurvivorSignatureMessage, SurvivorSignatureMessage__Output as _shoal_v1_SurvivorSignatureMessage__Output } from '../../shoal/v1/SurvivorSignatureMessage';

export interface SignSurvivorsResponse {
  'signatures'?: (_shoal_v1_SurvivorSignatureMessage)[];
}

export interface SignSurvivorsResponse__Output {
  'signatures': (_shoal_v1_SurvivorSignatureMessage__Output)[];
}
