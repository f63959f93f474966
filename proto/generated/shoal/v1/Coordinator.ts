// Original file: proto/shoal/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { JoinRequest as _shoal_v1_JoinRequest, JoinRequest__Output as _shoal_v1_JoinRequest__Output } from '../../shoal/v1/JoinRequest';
import type { JoinResponse as _shoal_v1_JoinResponse, JoinResponse__Output as _shoal_v1_JoinResponse__Output } from '../../shoal/v1/JoinResponse';
import type { NextTaskRequest as _shoal_v1_NextTaskRequest, NextTaskRequest__Output as _shoal_v1_NextTaskRequest__Output } from '../../shoal/v1/NextTaskRequest';
import type { StatusAck as _shoal_v1_StatusAck, StatusAck__Output as _shoal_v1_StatusAck__Output } from '../../shoal/v1/StatusAck';
import type { StatusReport as _shoal_v1_StatusReport, StatusReport__Output as _shoal_v1_StatusReport__Output } from '../../shoal/v1/StatusReport';
import type { TaskMessage as _shoal_v1_TaskMessage, TaskMessage__Output as _shoal_v1_TaskMessage__Output } from '../../shoal/v1/TaskMessage';

export interface CoordinatorClient extends grpc.Client {
  Join(argument: _shoal_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _shoal_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _shoal_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _shoal_v1_JoinRequest, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _shoal_v1_JoinRequest, callback: grpc.requestCallback<_shoal_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
  NextTask(argument: _shoal_v1_NextTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_TaskMessage__Output>;
  NextTask(argument: _shoal_v1_NextTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_TaskMessage__Output>;
  nextTask(argument: _shoal_v1_NextTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_TaskMessage__Output>;
  nextTask(argument: _shoal_v1_NextTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_TaskMessage__Output>;
  
  ReportStatus(argument: _shoal_v1_StatusReport, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  ReportStatus(argument: _shoal_v1_StatusReport, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  ReportStatus(argument: _shoal_v1_StatusReport, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  ReportStatus(argument: _shoal_v1_StatusReport, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _shoal_v1_StatusReport, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _shoal_v1_StatusReport, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _shoal_v1_StatusReport, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _shoal_v1_StatusReport, callback: grpc.requestCallback<_shoal_v1_StatusAck__Output>): grpc.ClientUnaryCall;
  
}

export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  Join: grpc.handleUnaryCall<_shoal_v1_JoinRequest__Output, _shoal_v1_JoinResponse>;
  
  NextTask: grpc.handleServerStreamingCall<_shoal_v1_NextTaskRequest__Output, _shoal_v1_TaskMessage>;
  
  ReportStatus: grpc.handleUnaryCall<_shoal_v1_StatusReport__Output, _shoal_v1_StatusAck>;
  
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  Join: MethodDefinition<_shoal_v1_JoinRequest, _shoal_v1_JoinResponse, _shoal_v1_JoinRequest__Output, _shoal_v1_JoinResponse__Output>
  NextTask: MethodDefinition<_shoal_v1_NextTaskRequest, _shoal_v1_TaskMessage, _shoal_v1_NextTaskRequest__Output, _shoal_v1_TaskMessage__Output>
  ReportStatus: MethodDefinition<_shoal_v1_StatusReport, _shoal_v1_StatusAck, _shoal_v1_StatusReport__Output, _shoal_v1_StatusAck__Output>
}
