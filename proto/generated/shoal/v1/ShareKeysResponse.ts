// Original file: proto/shoal/v1/secure_aggregation.proto

import type { EncryptedShareMessage as _shoal_v1_EncryptedShareMessage, EncryptedShareMessage__Output as _shoal_v1_EncryptedShareMessage__Output } from '../../shoal/v1/EncryptedShareMessage';

export interface ShareKeysResponse {
  'sharesForYou'?: (_shoal_v1_EncryptedShareMessage)[];
}

export interface ShareKeysResponse__Output {
  'sharesForYou': (_shoal_v1_EncryptedShareMessage__Output)[];
}
