import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { TensorSpec as _shoal_v1_TensorSpec, TensorSpec__Output as _shoal_v1_TensorSpec__Output } from './shoal/v1/TensorSpec';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from './shoal/v1/VectorChunk';
import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from './shoal/v1/VectorHeader';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    v1: {
      Dtype: EnumTypeDefinition
      TensorSpec: MessageTypeDefinition<_shoal_v1_TensorSpec, _shoal_v1_TensorSpec__Output>
      VectorChunk: MessageTypeDefinition<_shoal_v1_VectorChunk, _shoal_v1_VectorChunk__Output>
      VectorHeader: MessageTypeDefinition<_shoal_v1_VectorHeader, _shoal_v1_VectorHeader__Output>
    }
  }
}

