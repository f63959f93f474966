// Original file: proto/shoal/v1/secure_aggregation.proto

import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from '../../shoal/v1/PhaseCaller';
import type { EncryptedShareMessage as _shoal_v1_EncryptedShareMessage, EncryptedShareMessage__Output as _shoal_v1_EncryptedShareMessage__Output } from '../../shoal/v1/EncryptedShareMessage';

export interface ShareKeysRequest {
  'caller'?: (_shoal_v1_PhaseCaller | null);
  'shares'?: (_shoal_v1_EncryptedShareMessage)[];
}

export interface ShareKeysRequest__Output {
  'caller': (_shoal_v1_PhaseCaller__Output | null);
  'shares': (_shoal_v1_EncryptedShareMessage__Output)[];
}
