import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdvertiseKeysRequest as _shoal_v1_AdvertiseKeysRequest, AdvertiseKeysRequest__Output as _shoal_v1_AdvertiseKeysRequest__Output } from './shoal/v1/AdvertiseKeysRequest';
import type { AdvertiseKeysResponse as _shoal_v1_AdvertiseKeysResponse, AdvertiseKeysResponse__Output as _shoal_v1_AdvertiseKeysResponse__Output } from './shoal/v1/AdvertiseKeysResponse';
import type { ConsistencyCheckRequest as _shoal_v1_ConsistencyCheckRequest, ConsistencyCheckRequest__Output as _shoal_v1_ConsistencyCheckRequest__Output } from './shoal/v1/ConsistencyCheckRequest';
import type { ConsistencyCheckResponse as _shoal_v1_ConsistencyCheckResponse, ConsistencyCheckResponse__Output as _shoal_v1_ConsistencyCheckResponse__Output } from './shoal/v1/ConsistencyCheckResponse';
import type { CoordinatorClient as _shoal_v1_CoordinatorClient, CoordinatorDefinition as _shoal_v1_CoordinatorDefinition } from './shoal/v1/Coordinator';
import type { EncryptedShareMessage as _shoal_v1_EncryptedShareMessage, EncryptedShareMessage__Output as _shoal_v1_EncryptedShareMessage__Output } from './shoal/v1/EncryptedShareMessage';
import type { FitInstructions as _shoal_v1_FitInstructions, FitInstructions__Output as _shoal_v1_FitInstructions__Output } from './shoal/v1/FitInstructions';
import type { IdentityProof as _shoal_v1_IdentityProof, IdentityProof__Output as _shoal_v1_IdentityProof__Output } from './shoal/v1/IdentityProof';
import type { JoinRequest as _shoal_v1_JoinRequest, JoinRequest__Output as _shoal_v1_JoinRequest__Output } from './shoal/v1/JoinRequest';
import type { JoinResponse as _shoal_v1_JoinResponse, JoinResponse__Output as _shoal_v1_JoinResponse__Output } from './shoal/v1/JoinResponse';
import type { KeyAdvertisementMessage as _shoal_v1_KeyAdvertisementMessage, KeyAdvertisementMessage__Output as _shoal_v1_KeyAdvertisementMessage__Output } from './shoal/v1/KeyAdvertisementMessage';
import type { NextTaskRequest as _shoal_v1_NextTaskRequest, NextTaskRequest__Output as _shoal_v1_NextTaskRequest__Output } from './shoal/v1/NextTaskRequest';
import type { Normalization as _shoal_v1_Normalization, Normalization__Output as _shoal_v1_Normalization__Output } from './shoal/v1/Normalization';
import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from './shoal/v1/PhaseCaller';
import type { RevealedShareMessage as _shoal_v1_RevealedShareMessage, RevealedShareMessage__Output as _shoal_v1_RevealedShareMessage__Output } from './shoal/v1/RevealedShareMessage';
import type { SecureAggregationSettings as _shoal_v1_SecureAggregationSettings, SecureAggregationSettings__Output as _shoal_v1_SecureAggregationSettings__Output } from './shoal/v1/SecureAggregationSettings';
import type { ShareKeysRequest as _shoal_v1_ShareKeysRequest, ShareKeysRequest__Output as _shoal_v1_ShareKeysRequest__Output } from './shoal/v1/ShareKeysRequest';
import type { ShareKeysResponse as _shoal_v1_ShareKeysResponse, ShareKeysResponse__Output as _shoal_v1_ShareKeysResponse__Output } from './shoal/v1/ShareKeysResponse';
import type { SignSurvivorsRequest as _shoal_v1_SignSurvivorsRequest, SignSurvivorsRequest__Output as _shoal_v1_SignSurvivorsRequest__Output } from './shoal/v1/SignSurvivorsRequest';
import type { SignSurvivorsResponse as _shoal_v1_SignSurvivorsResponse, SignSurvivorsResponse__Output as _shoal_v1_SignSurvivorsResponse__Output } from './shoal/v1/SignSurvivorsResponse';
import type { StatusAck as _shoal_v1_StatusAck, StatusAck__Output as _shoal_v1_StatusAck__Output } from './shoal/v1/StatusAck';
import type { StatusReport as _shoal_v1_StatusReport, StatusReport__Output as _shoal_v1_StatusReport__Output } from './shoal/v1/StatusReport';
import type { SurvivorSignatureMessage as _shoal_v1_SurvivorSignatureMessage, SurvivorSignatureMessage__Output as _shoal_v1_SurvivorSignatureMessage__Output } from './shoal/v1/SurvivorSignatureMessage';
import type { TaskHeader as _shoal_v1_TaskHeader, TaskHeader__Output as _shoal_v1_TaskHeader__Output } from './shoal/v1/TaskHeader';
import type { TaskMessage as _shoal_v1_TaskMessage, TaskMessage__Output as _shoal_v1_TaskMessage__Output } from './shoal/v1/TaskMessage';
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
      ConsistencyCheckRequest: MessageTypeDefinition<_shoal_v1_ConsistencyCheckRequest, _shoal_v1_ConsistencyCheckRequest__Output>
      ConsistencyCheckResponse: MessageTypeDefinition<_shoal_v1_ConsistencyCheckResponse, _shoal_v1_ConsistencyCheckResponse__Output>
      Coordinator: SubtypeConstructor<typeof grpc.Client, _shoal_v1_CoordinatorClient> & { service: _shoal_v1_CoordinatorDefinition }
      Dtype: EnumTypeDefinition
      EncryptedShareMessage: MessageTypeDefinition<_shoal_v1_EncryptedShareMessage, _shoal_v1_EncryptedShareMessage__Output>
      FitInstructions: MessageTypeDefinition<_shoal_v1_FitInstructions, _shoal_v1_FitInstructions__Output>
      IdentityProof: MessageTypeDefinition<_shoal_v1_IdentityProof, _shoal_v1_IdentityProof__Output>
      JoinRequest: MessageTypeDefinition<_shoal_v1_JoinRequest, _shoal_v1_JoinRequest__Output>
      JoinResponse: MessageTypeDefinition<_shoal_v1_JoinResponse, _shoal_v1_JoinResponse__Output>
      KeyAdvertisementMessage: MessageTypeDefinition<_shoal_v1_KeyAdvertisementMessage, _shoal_v1_KeyAdvertisementMessage__Output>
      NextTaskRequest: MessageTypeDefinition<_shoal_v1_NextTaskRequest, _shoal_v1_NextTaskRequest__Output>
      Normalization: MessageTypeDefinition<_shoal_v1_Normalization, _shoal_v1_Normalization__Output>
      PhaseCaller: MessageTypeDefinition<_shoal_v1_PhaseCaller, _shoal_v1_PhaseCaller__Output>
      RevealedShareMessage: MessageTypeDefinition<_shoal_v1_RevealedShareMessage, _shoal_v1_RevealedShareMessage__Output>
      SecureAggregationSettings: MessageTypeDefinition<_shoal_v1_SecureAggregationSettings, _shoal_v1_SecureAggregationSettings__Output>
      ShareKeysRequest: MessageTypeDefinition<_shoal_v1_ShareKeysRequest, _shoal_v1_ShareKeysRequest__Output>
      ShareKeysResponse: MessageTypeDefinition<_shoal_v1_ShareKeysResponse, _shoal_v1_ShareKeysResponse__Output>
      SignSurvivorsRequest: MessageTypeDefinition<_shoal_v1_SignSurvivorsRequest, _shoal_v1_SignSurvivorsRequest__Output>
      SignSurvivorsResponse: MessageTypeDefinition<_shoal_v1_SignSurvivorsResponse, _shoal_v1_SignSurvivorsResponse__Output>
      StatusAck: MessageTypeDefinition<_shoal_v1_StatusAck, _shoal_v1_StatusAck__Output>
      StatusReport: MessageTypeDefinition<_shoal_v1_StatusReport, _shoal_v1_StatusReport__Output>
      SurvivorSignatureMessage: MessageTypeDefinition<_shoal_v1_SurvivorSignatureMessage, _shoal_v1_SurvivorSignatureMessage__Output>
      TaskHeader: MessageTypeDefinition<_shoal_v1_TaskHeader, _shoal_v1_TaskHeader__Output>
      TaskKind: EnumTypeDefinition
      TaskMessage: MessageTypeDefinition<_shoal_v1_TaskMessage, _shoal_v1_TaskMessage__Output>
      TensorSpec: MessageTypeDefinition<_shoal_v1_TensorSpec, _shoal_v1_TensorSpec__Output>
      UnmaskRequest: MessageTypeDefinition<_shoal_v1_UnmaskRequest, _shoal_v1_UnmaskRequest__Output>
      UnmaskResponse: MessageTypeDefinition<_shoal_v1_UnmaskResponse, _shoal_v1_UnmaskResponse__Output>
      VectorChunk: MessageTypeDefinition<_shoal_v1_VectorChunk, _shoal_v1_VectorChunk__Output>
      VectorHeader: MessageTypeDefinition<_shoal_v1_VectorHeader, _shoal_v1_VectorHeader__Output>
    }
  }
}

