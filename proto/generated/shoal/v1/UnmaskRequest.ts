// Original file: proto/shoal/v1/secure_aggregation.proto

import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from '../../shoal/v1/PhaseCaller';
import type { RevealedShareMessage as _shoal_v1_RevealedShareMessage, RevealedShareMessage__Output as _shoal_v1_RevealedShareMessage__Output } from '../../shoal/v1/RevealedShareMessage';

export interface UnmaskRequest {
  'caller'?: (_shoal_v1_PhaseCaller | null);
  'shares'?: (_shoal_v1_RevealedShareMessage)[];
}

export interface UnmaskRequest__Output {
  'caller': (_shoal_v1_PhaseCaller__Output | null);
  'shares': (_shoal_v1_RevealedShareMessage__Output)[];
}
