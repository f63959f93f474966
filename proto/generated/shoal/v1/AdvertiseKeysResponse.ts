// Original file: proto/shoal/v1/secure_aggregation.proto

import type { KeyAdvertisementMessage as _shoal_v1_KeyAdvertisementMessage, KeyAdvertisementMessage__Output as _shoal_v1_KeyAdvertisementMessage__Output } from '../../shoal/v1/KeyAdvertisementMessage';

export interface AdvertiseKeysResponse {
  'advertisements'?: (_shoal_v1_KeyAdvertisementMessage)[];
}

export interface AdvertiseKeysResponse__Output {
  'advertisements': (_shoal_v1_KeyAdvertisementMessage__Output)[];
}
