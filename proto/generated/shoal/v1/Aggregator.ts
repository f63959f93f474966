// Original file: proto/shoal/v1/aggregator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AggregateMessage as _shoal_v1_AggregateMessage, AggregateMessage__Output as _shoal_v1_AggregateMessage__Output } from '../../shoal/v1/AggregateMessage';
import type { CollectRequest as _shoal_v1_CollectRequest, CollectRequest__Output as _shoal_v1_CollectRequest__Output } from '../../shoal/v1/CollectRequest';
import type { EndJobRequest as _shoal_v1_EndJobRequest, EndJobRequest__Output as _shoal_v1_EndJobRequest__Output } from '../../shoal/v1/EndJobRequest';
import type { EndJobResponse as _shoal_v1_EndJobResponse, EndJobResponse__Output as _shoal_v1_EndJobResponse__Output } from '../../shoal/v1/EndJobResponse';
import type { MarkDroppedRequest as _shoal_v1_MarkDroppedRequest, MarkDroppedRequest__Output as _shoal_v1_MarkDroppedRequest__Output } from '../../shoal/v1/MarkDroppedRequest';
import type { MarkDroppedResponse as _shoal_v1_MarkDroppedResponse, MarkDroppedResponse__Output as _shoal_v1_MarkDroppedResponse__Output } from '../../shoal/v1/MarkDroppedResponse';
import type { OpenCollectionRequest as _shoal_v1_OpenCollectionRequest, OpenCollectionRequest__Output as _shoal_v1_OpenCollectionRequest__Output } from '../../shoal/v1/OpenCollectionRequest';
import type { OpenCollectionResponse as _shoal_v1_OpenCollectionResponse, OpenCollectionResponse__Output as _shoal_v1_OpenCollectionResponse__Output } from '../../shoal/v1/OpenCollectionResponse';
import type { SubmitAck as _shoal_v1_SubmitAck, SubmitAck__Output as _shoal_v1_SubmitAck__Output } from '../../shoal/v1/SubmitAck';
import type { SubmitMessage as _shoal_v1_SubmitMessage, SubmitMessage__Output as _shoal_v1_SubmitMessage__Output } from '../../shoal/v1/SubmitMessage';

export interface AggregatorClient extends grpc.Client {
  CollectAggregate(argument: _shoal_v1_CollectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  CollectAggregate(argument: _shoal_v1_CollectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  collectAggregate(argument: _shoal_v1_CollectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  collectAggregate(argument: _shoal_v1_CollectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  
  EndJob(argument: _shoal_v1_EndJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  EndJob(argument: _shoal_v1_EndJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  EndJob(argument: _shoal_v1_EndJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  EndJob(argument: _shoal_v1_EndJobRequest, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  endJob(argument: _shoal_v1_EndJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  endJob(argument: _shoal_v1_EndJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  endJob(argument: _shoal_v1_EndJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  endJob(argument: _shoal_v1_EndJobRequest, callback: grpc.requestCallback<_shoal_v1_EndJobResponse__Output>): grpc.ClientUnaryCall;
  
  MarkDropped(argument: _shoal_v1_MarkDroppedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  MarkDropped(argument: _shoal_v1_MarkDroppedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  MarkDropped(argument: _shoal_v1_MarkDroppedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  MarkDropped(argument: _shoal_v1_MarkDroppedRequest, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  markDropped(argument: _shoal_v1_MarkDroppedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  markDropped(argument: _shoal_v1_MarkDroppedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  markDropped(argument: _shoal_v1_MarkDroppedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  markDropped(argument: _shoal_v1_MarkDroppedRequest, callback: grpc.requestCallback<_shoal_v1_MarkDroppedResponse__Output>): grpc.ClientUnaryCall;
  
  OpenCollection(argument: _shoal_v1_OpenCollectionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  OpenCollection(argument: _shoal_v1_OpenCollectionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  OpenCollection(argument: _shoal_v1_OpenCollectionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  OpenCollection(argument: _shoal_v1_OpenCollectionRequest, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  openCollection(argument: _shoal_v1_OpenCollectionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  openCollection(argument: _shoal_v1_OpenCollectionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  openCollection(argument: _shoal_v1_OpenCollectionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  openCollection(argument: _shoal_v1_OpenCollectionRequest, callback: grpc.requestCallback<_shoal_v1_OpenCollectionResponse__Output>): grpc.ClientUnaryCall;
  
  Submit(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  Submit(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  Submit(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  Submit(callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  
}

export interface AggregatorHandlers extends grpc.UntypedServiceImplementation {
  CollectAggregate: grpc.handleServerStreamingCall<_shoal_v1_CollectRequest__Output, _shoal_v1_AggregateMessage>;
  
  EndJob: grpc.handleUnaryCall<_shoal_v1_EndJobRequest__Output, _shoal_v1_EndJobResponse>;
  
  MarkDropped: grpc.handleUnaryCall<_shoal_v1_MarkDroppedRequest__Output, _shoal_v1_MarkDroppedResponse>;
  
  OpenCollection: grpc.handleUnaryCall<_shoal_v1_OpenCollectionRequest__Output, _shoal_v1_OpenCollectionResponse>;
  
  Submit: grpc.handleClientStreamingCall<_shoal_v1_SubmitMessage__Output, _shoal_v1_SubmitAck>;
  
}

export interface AggregatorDefinition extends grpc.ServiceDefinition {
  CollectAggregate: MethodDefinition<_shoal_v1_CollectRequest, _shoal_v1_AggregateMessage, _shoal_v1_CollectRequest__Output, _shoal_v1_AggregateMessage__Output>
  EndJob: MethodDefinition<_shoal_v1_EndJobRequest, _shoal_v1_EndJobResponse, _shoal_v1_EndJobRequest__Output, _shoal_v1_EndJobResponse__Output>
  MarkDropped: MethodDefinition<_shoal_v1_MarkDroppedRequest, _shoal_v1_MarkDroppedResponse, _shoal_v1_MarkDroppedRequest__Output, _shoal_v1_MarkDroppedResponse__Output>
  OpenCollection: MethodDefinition<_shoal_v1_OpenCollectionRequest, _shoal_v1_OpenCollectionResponse, _shoal_v1_OpenCollectionRequest__Output, _shoal_v1_OpenCollectionResponse__Output>
  Submit: MethodDefinition<_shoal_v1_SubmitMessage, _shoal_v1_SubmitAck, _shoal_v1_SubmitMessage__Output, _shoal_v1_SubmitAck__Output>
}
