// Original file: proto/shoal/v1/secure_aggregation.proto

import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from '../../shoal/v1/PhaseCaller';

export interface ConsistencyCheckRequest {
  'caller'?: (_shoal_v1_PhaseCaller | null);
}

export interface ConsistencyCheckRequest__Output {
  'caller': (_shoal_v1_PhaseCaller__Output | null);
}
