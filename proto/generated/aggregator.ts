import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AggregateHeader as _shoal_v1_AggregateHeader, AggregateHeader__Output as _shoal_v1_AggregateHeader__Output } from './shoal/v1/AggregateHeader';
import type { AggregateMessage as _shoal_v1_AggregateMessage, AggregateMessage__Output as _shoal_v1_AggregateMessage__Output } from './shoal/v1/AggregateMessage';
import type { AggregatorClient as _shoal_v1_AggregatorClient, AggregatorDefinition as _shoal_v1_AggregatorDefinition } from './shoal/v1/Aggregator';
import type { CollectRequest as _shoal_v1_CollectRequest, CollectRequest__Output as _shoal_v1_CollectRequest__Output } from './shoal/v1/CollectRequest';
import type { ContributionHeader as _shoal_v1_ContributionHeader, ContributionHeader__Output as _shoal_v1_ContributionHeader__Output } from './shoal/v1/ContributionHeader';
import type { EndJobRequest as _shoal_v1_EndJobRequest, EndJobRequest__Output as _shoal_v1_EndJobRequest__Output } from './shoal/v1/EndJobRequest';
import type { EndJobResponse as _shoal_v1_EndJobResponse, EndJobResponse__Output as _shoal_v1_EndJobResponse__Output } from './shoal/v1/EndJobResponse';
import type { MarkDroppedRequest as _shoal_v1_MarkDroppedRequest, MarkDroppedRequest__Output as _shoal_v1_MarkDroppedRequest__Output } from './shoal/v1/MarkDroppedRequest';
import type { MarkDroppedResponse as _shoal_v1_MarkDroppedResponse, MarkDroppedResponse__Output as _shoal_v1_MarkDroppedResponse__Output } from './shoal/v1/MarkDroppedResponse';
import type { OpenCollectionRequest as _shoal_v1_OpenCollectionRequest, OpenCollectionRequest__Output as _shoal_v1_OpenCollectionRequest__Output } from './shoal/v1/OpenCollectionRequest';
import type { OpenCollectionResponse as _shoal_v1_OpenCollectionResponse, OpenCollectionResponse__Output as _shoal_v1_OpenCollectionResponse__Output } from './shoal/v1/OpenCollectionResponse';
import type { SubmitAck as _shoal_v1_SubmitAck, SubmitAck__Output as _shoal_v1_SubmitAck__Output } from './shoal/v1/SubmitAck';
import type { SubmitMessage as _shoal_v1_SubmitMessage, SubmitMessage__Output as _shoal_v1_SubmitMessage__Output } from './shoal/v1/SubmitMessage';
import type { TensorSpec as _shoal_v1_TensorSpec, TensorSpec__Output as _shoal_v1_TensorSpec__Output } from './shoal/v1/TensorSpec';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from './shoal/v1/VectorChunk';
import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from './shoal/v1/VectorHeader';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    v1: {
      AggregateHeader: MessageTypeDefinition<_shoal_v1_AggregateHeader, _shoal_v1_AggregateHeader__Output>
      AggregateMessage: MessageTypeDefinition<_shoal_v1_AggregateMessage, _shoal_v1_AggregateMessage__Output>
      Aggregator: SubtypeConstructor<typeof grpc.Client, _shoal_v1_AggregatorClient> & { service: _shoal_v1_AggregatorDefinition }
      CollectRequest: MessageTypeDefinition<_shoal_v1_CollectRequest, _shoal_v1_CollectRequest__Output>
      ContributionHeader: MessageTypeDefinition<_shoal_v1_ContributionHeader, _shoal_v1_ContributionHeader__Output>
      Dtype: EnumTypeDefinition
      EndJobRequest: MessageTypeDefinition<_shoal_v1_EndJobRequest, _shoal_v1_EndJobRequest__Output>
      EndJobResponse: MessageTypeDefinition<_shoal_v1_EndJobResponse, _shoal_v1_EndJobResponse__Output>
      MarkDroppedRequest: MessageTypeDefinition<_shoal_v1_MarkDroppedRequest, _shoal_v1_MarkDroppedRequest__Output>
      MarkDroppedResponse: MessageTypeDefinition<_shoal_v1_MarkDroppedResponse, _shoal_v1_MarkDroppedResponse__Output>
      OpenCollectionRequest: MessageTypeDefinition<_shoal_v1_OpenCollectionRequest, _shoal_v1_OpenCollectionRequest__Output>
      OpenCollectionResponse: MessageTypeDefinition<_shoal_v1_OpenCollectionResponse, _shoal_v1_OpenCollectionResponse__Output>
      SubmitAck: MessageTypeDefinition<_shoal_v1_SubmitAck, _shoal_v1_SubmitAck__Output>
      SubmitMessage: MessageTypeDefinition<_shoal_v1_SubmitMessage, _shoal_v1_SubmitMessage__Output>
      TensorSpec: MessageTypeDefinition<_shoal_v1_TensorSpec, _shoal_v1_TensorSpec__Output>
      VectorChunk: MessageTypeDefinition<_shoal_v1_VectorChunk, _shoal_v1_VectorChunk__Output>
      VectorHeader: MessageTypeDefinition<_shoal_v1_VectorHeader, _shoal_v1_VectorHeader__Output>
    }
  }
}

