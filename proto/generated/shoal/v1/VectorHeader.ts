// Original file: proto/shoal/v1/vector.proto

import type { Dtype as _shoal_v1_Dtype, Dtype__Output as _shoal_v1_Dtype__Output } from '../../shoal/v1/Dtype';
import type { TensorSpec as _shoal_v1_TensorSpec, TensorSpec__Output as _shoal_v1_TensorSpec__Output } from '../../shoal/v1/TensorSpec';
import type { Long } from '@grpc/proto-loader';

export interface VectorHeader {
  'elementCount'?: (number | string | Long);
  'dtype'?: (_shoal_v1_Dtype);
  'tensors'?: (_shoal_v1_TensorSpec)[];
}

export interface VectorHeader__Output {
  'elementCount': (number);
  'dtype': (_shoal_v1_Dtype__Output);
  'tensors': (_shoal_v1_TensorSpec__Output)[];
}
