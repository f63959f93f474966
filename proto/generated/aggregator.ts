import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdvertiseKeysRequest as _shoal_v1_AdvertiseKeysRequest, AdvertiseKeysRequest__Output as _shoal_v1_AdvertiseKeysRequest__Output } from './shoal/v1/AdvertiseKeysRequest';
import type { AdvertiseKeysResponse as _shoal_v1_AdvertiseKeysResponse, AdvertiseKeysResponse__Output as _shoal_v1_AdvertiseKeysResponse__Output } from './shoal/v1/AdvertiseKeysResponse';
import type { AggregateHeader as _shoal_v1_AggregateHeader, AggregateHeader__Output as _shoal_v1_AggregateHeader__Output } from './shoal/v1/AggregateHeader';
import type { AggregateMessage as _shoal_v1_AggregateMessage, AggregateMessage__Output as _shoal_v1_AggregateMessage__Output } from './shoal/v1/AggregateMessage';
import type { AggregatorClient as _shoal_v1_AggregatorClient, AggregatorDefinition as _shoal_v1_AggregatorDefinition } from './shoal/v1/Aggregator';
import type { CollectRequest as _shoal_v1_CollectRequest, CollectRequest__Output as _shoal_v1_CollectRequest__Output } from './shoal/v1/CollectRequest';
import type { ConsistencyCheckRequest as _shoal_v1_ConsistencyCheckRequest, ConsistencyCheckRequest__Output as _shoal_v1_ConsistencyCheckRequest__Output } from './shoal/v1/ConsistencyCheckRequest';
import type { ConsistencyCheckResponse as _shoal_v1_ConsistencyCheckResponse, ConsistencyCheckResponse__Output as _shoal_v1_ConsistencyCheckResponse__Output } from './shoal/v1/ConsistencyCheckResponse';
import type { ContributionHeader as _shoal_v1_ContributionHeader, ContributionHeader__Output as _shoal_v1_ContributionHeader__Output } from './shoal/v1/ContributionHeader';
import type { EncryptedShareMessage as _shoal_v1_EncryptedShareMessage, EncryptedShareMessage__Output as _shoal_v1_EncryptedShareMessage__Output } from './shoal/v1/EncryptedShareMessage';
import type { EndJobRequest as _shoal_v1_EndJobRequest, EndJobRequest__Output as _shoal_v1_EndJobRequest__Output } from './shoal/v1/EndJobRequest';
import type { EndJobResponse as _shoal_v1_EndJobResponse, EndJobResponse__Output as _shoal_v1_EndJobResponse__Output } from './shoal/v1/EndJobResponse';
import type { IdentityProof as _shoal_v1_IdentityProof, IdentityProof__Output as _shoal_v1_IdentityProof__Output } from './shoal/v1/IdentityProof';
import type { KeyAdvertisementMessage as _shoal_v1_KeyAdvertisementMessage, KeyAdvertisementMessage__Output as _shoal_v1_KeyAdvertisementMessage__Output } from './shoal/v1/KeyAdvertisementMessage';
import type { MarkDroppedRequest as _shoal_v1_MarkDroppedRequest, MarkDroppedRequest__Output as _shoal_v1_MarkDroppedRequest__Output } from './shoal/v1/MarkDroppedRequest';
import type { MarkDroppedResponse as _shoal_v1_MarkDroppedResponse, MarkDroppedResponse__Output as _shoal_v1_MarkDroppedResponse__Output } from './shoal/v1/MarkDroppedResponse';
import type { OpenCollectionRequest as _shoal_v1_OpenCollectionRequest, OpenCollectionRequest__Output as _shoal_v1_OpenCollectionRequest__Output } from './shoal/v1/OpenCollectionRequest';
import type { OpenCollectionResponse as _shoal_v1_OpenCollectionResponse, OpenCollectionResponse__Output as _shoal_v1_OpenCollectionResponse__Output } from './shoal/v1/OpenCollectionResponse';
import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from './shoal/v1/PhaseCaller';
import type { RevealedShareMessage as _shoal_v1_RevealedShareMessage, RevealedShareMessage__Output as _shoal_v1_RevealedShareMessage__Output } from './shoal/v1/RevealedShareMessage';
import type { SecureAggregationSettings as _shoal_v1_SecureAggregationSettings, SecureAggregationSettings__Output as _shoal_v1_SecureAggregationSettings__Output } from './shoal/v1/SecureAggregationSettings';
import type { ShareKeysRequest as _shoal_v1_ShareKeysRequest, ShareKeysRequest__Output as _shoal_v1_ShareKeysRequest__Output } from './shoal/v1/ShareKeysRequest';
import type { ShareKeysResponse as _shoal_v1_ShareKeysResponse, ShareKeysResponse__Output as _shoal_v1_ShareKeysResponse__Output } from './shoal/v1/ShareKeysResponse';
import type { SignSurvivorsRequest as _shoal_v1_SignSurvivorsRequest, SignSurvivorsRequest__Output as _shoal_v1_SignSurvivorsRequest__Output } from './shoal/v1/SignSurvivorsRequest';
import type { SignSurvivorsResponse as _shoal_v1_SignSurvivorsResponse, SignSurvivorsResponse__Output as _shoal_v1_SignSurvivorsResponse__Output } from './shoal/v1/SignSurvivorsResponse';
import type { SubmitAck as _shoal_v1_SubmitAck, SubmitAck__Output as _shoal_v1_SubmitAck__Output } from './shoal/v1/SubmitAck';
import type { SubmitMessage as _shoal_v1_SubmitMessage, SubmitMessage__Output as _shoal_v1_SubmitMessage__Output } from './shoal/v1/SubmitMessage';
import type { SurvivorSignatureMessage as _shoal_v1_SurvivorSignatureMessage, SurvivorSignatureMessage__Output as _shoal_v1_SurvivorSignatureMessage__Output } from './shoal/v1/SurvivorSignatureMessage';
import type { TensorSpec as _shoal_v1_TensorSpec, TensorSpec__Output as _shoal_v1_TensorSpec__Output } from './shoal/v1/TensorSpec';
import type { UnmaskRequest as _shoal_v1_UnmaskRequest, UnmaskRequest__Output as _shoal_v1_UnmaskRequest__Output } from './shoal/v1/UnmaskRequest';
import type { UnmaskResponse as _shoal_v1_UnmaskResponse, UnmaskResponse__Output as _shoal_v1_UnmaskResponse__Output } from './shoal/v1/UnmaskResponse';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from './shoal/v1/VectorChunk';
import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from './shoal/v1/VectorHeader';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    v1: {
      AdvertiseKeysRequest: MessageTypeDefinition<_shoal_v1_AdvertiseKeysRequest, _shoal_v1_AdvertiseKeysRequest__Output>
      AdvertiseKeysResponse: MessageTypeDefinition<_shoal_v1_AdvertiseKeysResponse, _shoal_v1_AdvertiseKeysResponse__Output>
      AggregateHeader: MessageTypeDefinition<_shoal_v1_AggregateHeader, _shoal_v1_AggregateHeader__Output>
      AggregateMessage: MessageTypeDefinition<_shoal_v1_AggregateMessage, _shoal_v1_AggregateMessage__Output>
      Aggregator: SubtypeConstructor<typeof grpc.Client, _shoal_v1_AggregatorClient> & { service: _shoal_v1_AggregatorDefinition }
      CollectRequest: MessageTypeDefinition<_shoal_v1_CollectRequest, _shoal_v1_CollectRequest__Output>
      ConsistencyCheckRequest: MessageTypeDefinition<_shoal_v1_ConsistencyCheckRequest, _shoal_v1_ConsistencyCheckRequest__Output>
      ConsistencyCheckResponse: MessageTypeDefinition<_shoal_v1_ConsistencyCheckResponse, _shoal_v1_ConsistencyCheckResponse__Output>
      ContributionHeader: MessageTypeDefinition<_shoal_v1_ContributionHeader, _shoal_v1_ContributionHeader__Output>
      Dtype: EnumTypeDefinition
      EncryptedShareMessage: MessageTypeDefinition<_shoal_v1_EncryptedShareMessage, _shoal_v1_EncryptedShareMessage__Output>
      EndJobRequest: MessageTypeDefinition<_shoal_v1_EndJobRequest, _shoal_v1_EndJobRequest__Output>
      EndJobResponse: MessageTypeDefinition<_shoal_v1_EndJobResponse, _shoal_v1_EndJobResponse__Output>
      IdentityProof: MessageTypeDefinition<_shoal_v1_IdentityProof, _shoal_v1_IdentityProof__Output>
      KeyAdvertisementMessage: MessageTypeDefinition<_shoal_v1_KeyAdvertisementMessage, _shoal_v1_KeyAdvertisementMessage__Output>
      MarkDroppedRequest: MessageTypeDefinition<_shoal_v1_MarkDroppedRequest, _shoal_v1_MarkDroppedRequest__Output>
      MarkDroppedResponse: MessageTypeDefinition<_shoal_v1_MarkDroppedResponse, _shoal_v1_MarkDroppedResponse__Output>
      OpenCollectionRequest: MessageTypeDefinition<_shoal_v1_OpenCollectionRequest, _shoal_v1_OpenCollectionRequest__Output>
      OpenCollectionResponse: MessageTypeDefinition<_shoal_v1_OpenCollectionResponse, _shoal_v1_OpenCollectionResponse__Output>
      PhaseCaller: MessageTypeDefinition<_shoal_v1_PhaseCaller, _shoal_v1_PhaseCaller__Output>
      RevealedShareMessage: MessageTypeDefinition<_shoal_v1_RevealedShareMessage, _shoal_v1_RevealedShareMessage__Output>
      SecureAggregationSettings: MessageTypeDefinition<_shoal_v1_SecureAggregationSettings, _shoal_v1_SecureAggregationSettings__Output>
      ShareKeysRequest: MessageTypeDefinition<_shoal_v1_ShareKeysRequest, _shoal_v1_ShareKeysRequest__Output>
      ShareKeysResponse: MessageTypeDefinition<_shoal_v1_ShareKeysResponse, _shoal_v1_ShareKeysResponse__Output>
      SignSurvivorsRequest: MessageTypeDefinition<_shoal_v1_SignSurvivorsRequest, _shoal_v1_SignSurvivorsRequest__Output>
      SignSurvivorsResponse: MessageTypeDefinition<_shoal_v1_SignSurvivorsResponse, _shoal_v1_SignSurvivorsResponse__Output>
      SubmitAck: MessageTypeDefinition<_shoal_v1_SubmitAck, _shoal_v1_SubmitAck__Output>
      SubmitMessage: MessageTypeDefinition<_shoal_v1_SubmitMessage, _shoal_v1_SubmitMessage__Output>
      SurvivorSignatureMessage: MessageTypeDefinition<_shoal_v1_SurvivorSignatureMessage, _shoal_v1_SurvivorSignatureMessage__Output>
      TensorSpec: MessageTypeDefinition<_shoal_v1_TensorSpec, _shoal_v1_TensorSpec__Output>
      UnmaskRequest: MessageTypeDefinition<_shoal_v1_UnmaskRequest, _shoal_v1_UnmaskRequest__Output>
      UnmaskResponse: MessageTypeDefinition<_shoal_v1_UnmaskResponse, _shoal_v1_UnmaskResponse__Output>
      VectorChunk: MessageTypeDefinition<_shoal_v1_VectorChunk, _shoal_v1_VectorChunk__Output>
      VectorHeader: MessageTypeDefinition<_shoal_v1_VectorHeader, _shoal_v1_VectorHeader__Output>
    }
  }
}

