import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdvertiseKeysRequest as _shoal_v1_AdvertiseKeysRequest, AdvertiseKeysRequest__Output as _shoal_v1_AdvertiseKeysRequest__Output } from './shoal/v1/AdvertiseKeysRequest';
import type { AdvertiseKeysResponse as _shoal_v1_AdvertiseKeysResponse, AdvertiseKeysResponse__Output as _shoal_v1_AdvertiseKeysResponse__Output } from './shoal/v1/AdvertiseKeysResponse';
import type { ConsistencyCheckRequest as _shoal_v1_ConsistencyCheckRequest, ConsistencyCheckRequest__Output as _shoal_v1_ConsistencyCheckRequest__Output } from './shoal/v1/ConsistencyCheckRequest';
import type { ConsistencyCheckResponse as _shoal_v1_ConsistencyCheckResponse, ConsistencyCheckResponse__Output as _shoal_v1_ConsistencyCheckResponse__Output } from './shoal/v1/ConsistencyCheckResponse';
import type { EncryptedShareMessage as _shoal_v1_EncryptedShareMessage, EncryptedShareMessage__Output as _shoal_v1_EncryptedShareMessage__Output } from './shoal/v1/EncryptedShareMessage';
import type { IdentityProof as _shoal_v1_IdentityProof, IdentityProof__Output as _shoal_v1_IdentityProof__Output } from './shoal/v1/IdentityProof';
import type { KeyAdvertisementMessage as _shoal_v1_KeyAdvertisementMessage, KeyAdvertisementMessage__Output as _shoal_v1_KeyAdvertisementMessage__Output } from './shoal/v1/KeyAdvertisementMessage';
import type { PhaseCaller as _shoal_v1_PhaseCaller, PhaseCaller__Output as _shoal_v1_PhaseCaller__Output } from './shoal/v1/PhaseCaller';
import type { RevealedShareMessage as _shoal_v1_RevealedShareMessage, RevealedShareMessage__Output as _shoal_v1_RevealedShareMessage__Output } from './shoal/v1/RevealedShareMessage';
import type { SecureAggregationSettings as _shoal_v1_SecureAggregationSettings, SecureAggregationSettings__Output as _shoal_v1_SecureAggregationSettings__Output } from './shoal/v1/SecureAggregationSettings';
import type { ShareKeysRequest as _shoal_v1_ShareKeysRequest, ShareKeysRequest__Output as _shoal_v1_ShareKeysRequest__Output } from './shoal/v1/ShareKeysRequest';
import type { ShareKeysResponse as _shoal_v1_ShareKeysResponse, ShareKeysResponse__Output as _shoal_v1_ShareKeysResponse__Output } from './shoal/v1/ShareKeysResponse';
import type { SignSurvivorsRequest as _shoal_v1_SignSurvivorsRequest, SignSurvivorsRequest__Output as _shoal_v1_SignSurvivorsRequest__Output } from './shoal/v1/SignSurvivorsRequest';
import type { SignSurvivorsResponse as _shoal_v1_SignSurvivorsResponse, SignSurvivorsResponse__Output as _shoal_v1_SignSurvivorsResponse__Output } from './shoal/v1/SignSurvivorsResponse';
import type { SurvivorSignatureMessage as _shoal_v1_SurvivorSignatureMessage, SurvivorSignatureMessage__Output as _shoal_v1_SurvivorSignatureMessage__Output } from './shoal/v1/SurvivorSignatureMessage';
import type { UnmaskRequest as _shoal_v1_UnmaskRequest, UnmaskRequest__Output as _shoal_v1_UnmaskRequest__Output } from './shoal/v1/UnmaskRequest';
import type { UnmaskResponse as _shoal_v1_UnmaskResponse, UnmaskResponse__Output as _shoal_v1_UnmaskResponse__Output } from './shoal/v1/UnmaskResponse';

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
      EncryptedShareMessage: MessageTypeDefinition<_shoal_v1_EncryptedShareMessage, _shoal_v1_EncryptedShareMessage__Output>
      IdentityProof: MessageTypeDefinition<_shoal_v1_IdentityProof, _shoal_v1_IdentityProof__Output>
      KeyAdvertisementMessage: MessageTypeDefinition<_shoal_v1_KeyAdvertisementMessage, _shoal_v1_KeyAdvertisementMessage__Output>
      PhaseCaller: MessageTypeDefinition<_shoal_v1_PhaseCaller, _shoal_v1_PhaseCaller__Output>
      RevealedShareMessage: MessageTypeDefinition<_shoal_v1_RevealedShareMessage, _shoal_v1_RevealedShareMessage__Output>
      SecureAggregationSettings: MessageTypeDefinition<_shoal_v1_SecureAggregationSettings, _shoal_v1_SecureAggregationSettings__Output>
      ShareKeysRequest: MessageTypeDefinition<_shoal_v1_ShareKeysRequest, _shoal_v1_ShareKeysRequest__Output>
      ShareKeysResponse: MessageTypeDefinition<_shoal_v1_ShareKeysResponse, _shoal_v1_ShareKeysResponse__Output>
      SignSurvivorsRequest: MessageTypeDefinition<_shoal_v1_SignSurvivorsRequest, _shoal_v1_SignSurvivorsRequest__Output>
      SignSurvivorsResponse: MessageTypeDefinition<_shoal_v1_SignSurvivorsResponse, _shoal_v1_SignSurvivorsResponse__Output>
      SurvivorSignatureMessage: MessageTypeDefinition<_shoal_v1_SurvivorSignatureMessage, _shoal_v1_SurvivorSignatureMessage__Output>
      UnmaskRequest: MessageTypeDefinition<_shoal_v1_UnmaskRequest, _shoal_v1_UnmaskRequest__Output>
      UnmaskResponse: MessageTypeDefinition<_shoal_v1_UnmaskResponse, _shoal_v1_UnmaskResponse__Output>
    }
  }
}

