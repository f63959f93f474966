// Original file: proto/shoal/v1/secure_aggregation.proto

import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from '../../shoal/v1/PhaseCaller';
import type { KeyAdvertisementMessage as _shoal_v1_KeyAdvertisementMessage, KeyAdvertisementMessage__Output as _shoal_v1_KeyAdvertisementMessage__Output } from '../../shoal/v1/KeyAdvertisementMessage';

export interface AdvertiseKeysRequest {
  'caller'?: (_shoal_v1_PhaseCaller | null);
  'advertisement'?: (_shoal_v1_KeyAdvertisementMessage | null);
}

export interface AdvertiseKeysRequest__Output {
  'caller': (_shoal_v1_PhaseCaller__Output | null);
  'advertisement': (_shoal_v1_KeyAdvertisementMessage__Output | null);
}
