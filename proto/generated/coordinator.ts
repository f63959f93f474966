import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CoordinatorClient as _shoal_v1_CoordinatorClient, CoordinatorDefinition as _shoal_v1_CoordinatorDefinition } from './shoal/v1/Coordinator';
import type { FitInstructions as _shoal_v1_FitInstructions, FitInstructions__Output as _shoal_v1_FitInstructions__Output } from './shoal/v1/FitInstructions';
import type { JoinRequest as _shoal_v1_JoinRequest, JoinRequest__Output as _shoal_v1_JoinRequest__Output } from './shoal/v1/JoinRequest';
import type { JoinResponse as _shoal_v1_JoinResponse, JoinResponse__Output as _shoal_v1_JoinResponse__Output } from './shoal/v1/JoinResponse';
import type { NextTaskRequest as _shoal_v1_NextTaskRequest, NextTaskRequest__Output as _shoal_v1_NextTaskRequest__Output } from './shoal/v1/NextTaskRequest';
import type { Normalization as _shoal_v1_Normalization, Normalization__Output as _shoal_v1_Normalization__Output } from './shoal/v1/Normalization';
import type { StatusAck as _shoal_v1_StatusAck, StatusAck__Output as _shoal_v1_StatusAck__Output } from './shoal/v1/StatusAck';
import type { StatusReport as _shoal_v1_StatusReport, StatusReport__Output as _shoal_v1_StatusReport__Output } from './shoal/v1/StatusReport';
import type { TaskHeader as _shoal_v1_TaskHeader, TaskHeader__Output as _shoal_v1_TaskHeader__Output } from './shoal/v1/TaskHeader';
import type { TaskMessage as _shoal_v1_TaskMessage, TaskMessage__Output as _shoal_v1_TaskMessage__Output } from './shoal/v1/TaskMessage';
import type { TensorSpec as _shoal_v1_TensorSpec, TensorSpec__Output as _shoal_v1_TensorSpec__Output } from './shoal/v1/TensorSpec';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from './shoal/v1/VectorChunk';
import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from './shoal/v1/VectorHeader';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    v1: {
      Coordinator: SubtypeConstructor<typeof grpc.Client, _shoal_v1_CoordinatorClient> & { service: _shoal_v1_CoordinatorDefinition }
      Dtype: EnumTypeDefinition
      FitInstructions: MessageTypeDefinition<_shoal_v1_FitInstructions, _shoal_v1_FitInstructions__Output>
      JoinRequest: MessageTypeDefinition<_shoal_v1_JoinRequest, _shoal_v1_JoinRequest__Output>
      JoinResponse: MessageTypeDefinition<_shoal_v1_JoinResponse, _shoal_v1_JoinResponse__Output>
      NextTaskRequest: MessageTypeDefinition<_shoal_v1_NextTaskRequest, _shoal_v1_NextTaskRequest__Output>
      Normalization: MessageTypeDefinition<_shoal_v1_Normalization, _shoal_v1_Normalization__Output>
      StatusAck: MessageTypeDefinition<_shoal_v1_StatusAck, _shoal_v1_StatusAck__Output>
      StatusReport: MessageTypeDefinition<_shoal_v1_StatusReport, _shoal_v1_StatusReport__Output>
      TaskHeader: MessageTypeDefinition<_shoal_v1_TaskHeader, _shoal_v1_TaskHeader__Output>
      TaskKind: EnumTypeDefinition
      TaskMessage: MessageTypeDefinition<_shoal_v1_TaskMessage, _shoal_v1_TaskMessage__Output>
      TensorSpec: MessageTypeDefinition<_shoal_v1_TensorSpec, _shoal_v1_TensorSpec__Output>
      VectorChunk: MessageTypeDefinition<_shoal_v1_VectorChunk, _shoal_v1_VectorChunk__Output>
      VectorHeader: MessageTypeDefinition<_shoal_v1_VectorHeader, _shoal_v1_VectorHeader__Output>
    }
  }
}

