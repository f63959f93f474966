// Original file: proto/shoal/v1/secure_aggregation.proto

import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from '../../shoal/v1/PhaseCaller';
import type { SurvivorSignatureMessage as _shoal_v1_SurvivorSignatureMessage, SurvivorSignatureMessage__Output as _shoal_v1_SurvivorSignatureMessage__Output } from '../../shoal/v1/SurvivorSignatureMessage';

export interface SignSurvivorsRequest {
  'caller'?: (_shoal_v1_PhaseCaller | null);
  'signature'?: (_shoal_v1_SurvivorSignatureMessage | null);
}

export interface SignSurvivorsRequest__Output {
  'caller': (_shoal_v1_PhaseCaller__Output | null);
  'signature': (_shoal_v1_SurvivorSignatureMessage__Output | null);
}
