// Original file: proto/shoal/v1/aggregator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AdvertiseKeysRequest as _shoal_v1_AdvertiseKeysRequest, AdvertiseKeysRequest__Output as _shoal_v1_AdvertiseKeysRequest__Output } from '../../shoal/v1/AdvertiseKeysRequest';
import type { AdvertiseKeysResponse as _shoal_v1_AdvertiseKeysResponse, AdvertiseKeysResponse__Output as _shoal_v1_AdvertiseKeysResponse__Output } from '../../shoal/v1/AdvertiseKeysResponse';
import type { AggregateMessage as _shoal_v1_AggregateMessage, AggregateMessage__Output as _shoal_v1_AggregateMessage__Output } from '../../shoal/v1/AggregateMessage';
import type { CollectRequest as _shoal_v1_CollectRequest, CollectRequest__Output as _shoal_v1_CollectRequest__Output } from '../../shoal/v1/CollectRequest';
import type { ConsistencyCheckRequest as _shoal_v1_ConsistencyCheckRequest, ConsistencyCheckRequest__Output as _shoal_v1_ConsistencyCheckRequest__Output } from '../../shoal/v1/ConsistencyCheckRequest';
import type { ConsistencyCheckResponse as _shoal_v1_ConsistencyCheckResponse, ConsistencyCheckResponse__Output as _shoal_v1_ConsistencyCheckResponse__Output } from '../../shoal/v1/ConsistencyCheckResponse';
import type { EndJobRequest as _shoal_v1_EndJobRequest, EndJobRequest__Output as _shoal_v1_EndJobRequest__Output } from '../../shoal/v1/EndJobRequest';
import type { EndJobResponse as _shoal_v1_EndJobResponse, EndJobResponse__Output as _shoal_v1_EndJobResponse__Output } from '../../shoal/v1/EndJobResponse';
import type { MarkDroppedRequest as _shoal_v1_MarkDroppedRequest, MarkDroppedRequest__Output as _shoal_v1_MarkDroppedRequest__Output } from '../../shoal/v1/MarkDroppedRequest';
import type { MarkDroppedResponse as _shoal_v1_MarkDroppedResponse, MarkDroppedResponse__Output as _shoal_v1_MarkDroppedResponse__Output } from '../../shoal/v1/MarkDroppedResponse';
import type { OpenCollectionRequest as _shoal_v1_OpenCollectionRequest, OpenCollectionRequest__Output as _shoal_v1_OpenCollectionRequest__Output } from '../../shoal/v1/OpenCollectionRequest';
import type { OpenCollectionResponse as _shoal_v1_OpenCollectionResponse, OpenCollectionResponse__Output as _shoal_v1_OpenCollectionResponse__Output } from '../../shoal/v1/OpenCollectionResponse';
import type { ShareKeysRequest as _shoal_v1_ShareKeysRequest, ShareKeysRequest__Output as _shoal_v1_ShareKeysRequest__Output } from '../../shoal/v1/ShareKeysRequest';
import type { ShareKeysResponse as _shoal_v1_ShareKeysResponse, ShareKeysResponse__Output as _shoal_v1_ShareKeysResponse__Output } from '../../shoal/v1/ShareKeysResponse';
import type { SignSurvivorsRequest as _shoal_v1_SignSurvivorsRequest, SignSurvivorsRequest__Output as _shoal_v1_SignSurvivorsRequest__Output } from '../../shoal/v1/SignSurvivorsRequest';
import type { SignSurvivorsResponse as _shoal_v1_SignSurvivorsResponse, SignSurvivorsResponse__Output as _shoal_v1_SignSurvivorsResponse__Output } from '../../shoal/v1/SignSurvivorsResponse';
import type { SubmitAck as _shoal_v1_SubmitAck, SubmitAck__Output as _shoal_v1_SubmitAck__Output } from '../../shoal/v1/SubmitAck';
import type { SubmitMessage as _shoal_v1_SubmitMessage, SubmitMessage__Output as _shoal_v1_SubmitMessage__Output } from '../../shoal/v1/SubmitMessage';
import type { UnmaskRequest as _shoal_v1_UnmaskRequest, UnmaskRequest__Output as _shoal_v1_UnmaskRequest__Output } from '../../shoal/v1/UnmaskRequest';
import type { UnmaskResponse as _shoal_v1_UnmaskResponse, UnmaskResponse__Output as _shoal_v1_UnmaskResponse__Output } from '../../shoal/v1/UnmaskResponse';

export interface AggregatorClient extends grpc.Client {
  AdvertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  AdvertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  AdvertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  AdvertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  advertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  advertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  advertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  advertiseKeys(argument: _shoal_v1_AdvertiseKeysRequest, callback: grpc.requestCallback<_shoal_v1_AdvertiseKeysResponse__Output>): grpc.ClientUnaryCall;
  
  CollectAggregate(argument: _shoal_v1_CollectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  CollectAggregate(argument: _shoal_v1_CollectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  collectAggregate(argument: _shoal_v1_CollectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  collectAggregate(argument: _shoal_v1_CollectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_v1_AggregateMessage__Output>;
  
  ConsistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  ConsistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  ConsistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  ConsistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  consistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  consistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  consistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  consistencyCheck(argument: _shoal_v1_ConsistencyCheckRequest, callback: grpc.requestCallback<_shoal_v1_ConsistencyCheckResponse__Output>): grpc.ClientUnaryCall;
  
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
  
  ShareKeys(argument: _shoal_v1_ShareKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  ShareKeys(argument: _shoal_v1_ShareKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  ShareKeys(argument: _shoal_v1_ShareKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  ShareKeys(argument: _shoal_v1_ShareKeysRequest, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  shareKeys(argument: _shoal_v1_ShareKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  shareKeys(argument: _shoal_v1_ShareKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  shareKeys(argument: _shoal_v1_ShareKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  shareKeys(argument: _shoal_v1_ShareKeysRequest, callback: grpc.requestCallback<_shoal_v1_ShareKeysResponse__Output>): grpc.ClientUnaryCall;
  
  SignSurvivors(argument: _shoal_v1_SignSurvivorsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  SignSurvivors(argument: _shoal_v1_SignSurvivorsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  SignSurvivors(argument: _shoal_v1_SignSurvivorsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  SignSurvivors(argument: _shoal_v1_SignSurvivorsRequest, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  signSurvivors(argument: _shoal_v1_SignSurvivorsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  signSurvivors(argument: _shoal_v1_SignSurvivorsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  signSurvivors(argument: _shoal_v1_SignSurvivorsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  signSurvivors(argument: _shoal_v1_SignSurvivorsRequest, callback: grpc.requestCallback<_shoal_v1_SignSurvivorsResponse__Output>): grpc.ClientUnaryCall;
  
  Submit(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  Submit(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  Submit(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  Submit(callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  submit(callback: grpc.requestCallback<_shoal_v1_SubmitAck__Output>): grpc.ClientWritableStream<_shoal_v1_SubmitMessage>;
  
  Unmask(argument: _shoal_v1_UnmaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  Unmask(argument: _shoal_v1_UnmaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  Unmask(argument: _shoal_v1_UnmaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  Unmask(argument: _shoal_v1_UnmaskRequest, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  unmask(argument: _shoal_v1_UnmaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  unmask(argument: _shoal_v1_UnmaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  unmask(argument: _shoal_v1_UnmaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  unmask(argument: _shoal_v1_UnmaskRequest, callback: grpc.requestCallback<_shoal_v1_UnmaskResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AggregatorHandlers extends grpc.UntypedServiceImplementation {
  AdvertiseKeys: grpc.handleUnaryCall<_shoal_v1_AdvertiseKeysRequest__Output, _shoal_v1_AdvertiseKeysResponse>;
  
  CollectAggregate: grpc.handleServerStreamingCall<_shoal_v1_CollectRequest__Output, _shoal_v1_AggregateMessage>;
  
  ConsistencyCheck: grpc.handleUnaryCall<_shoal_v1_ConsistencyCheckRequest__Output, _shoal_v1_ConsistencyCheckResponse>;
  
  EndJob: grpc.handleUnaryCall<_shoal_v1_EndJobRequest__Output, _shoal_v1_EndJobResponse>;
  
  MarkDropped: grpc.handleUnaryCall<_shoal_v1_MarkDroppedRequest__Output, _shoal_v1_MarkDroppedResponse>;
  
  OpenCollection: grpc.handleUnaryCall<_shoal_v1_OpenCollectionRequest__Output, _shoal_v1_OpenCollectionResponse>;
  
  ShareKeys: grpc.handleUnaryCall<_shoal_v1_ShareKeysRequest__Output, _shoal_v1_ShareKeysResponse>;
  
  SignSurvivors: grpc.handleUnaryCall<_shoal_v1_SignSurvivorsRequest__Output, _shoal_v1_SignSurvivorsResponse>;
  
  Submit: grpc.handleClientStreamingCall<_shoal_v1_SubmitMessage__Output, _shoal_v1_SubmitAck>;
  
  Unmask: grpc.handleUnaryCall<_shoal_v1_UnmaskRequest__Output, _shoal_v1_UnmaskResponse>;
  
}

export interface AggregatorDefinition extends grpc.ServiceDefinition {
  AdvertiseKeys: MethodDefinition<_shoal_v1_AdvertiseKeysRequest, _shoal_v1_AdvertiseKeysResponse, _shoal_v1_AdvertiseKeysRequest__Output, _shoal_v1_AdvertiseKeysResponse__Output>
  CollectAggregate: MethodDefinition<_shoal_v1_CollectRequest, _shoal_v1_AggregateMessage, _shoal_v1_CollectRequest__Output, _shoal_v1_AggregateMessage__Output>
  ConsistencyCheck: MethodDefinition<_shoal_v1_ConsistencyCheckRequest, _shoal_v1_ConsistencyCheckResponse, _shoal_v1_ConsistencyCheckRequest__Output, _shoal_v1_ConsistencyCheckResponse__Output>
  EndJob: MethodDefinition<_shoal_v1_EndJobRequest, _shoal_v1_EndJobResponse, _shoal_v1_EndJobRequest__Output, _shoal_v1_EndJobResponse__Output>
  MarkDropped: MethodDefinition<_shoal_v1_MarkDroppedRequest, _shoal_v1_MarkDroppedResponse, _shoal_v1_MarkDroppedRequest__Output, _shoal_v1_MarkDroppedResponse__Output>
  OpenCollection: MethodDefinition<_shoal_v1_OpenCollectionRequest, _shoal_v1_OpenCollectionResponse, _shoal_v1_OpenCollectionRequest__Output, _shoal_v1_OpenCollectionResponse__Output>
  ShareKeys: MethodDefinition<_shoal_v1_ShareKeysRequest, _shoal_v1_ShareKeysResponse, _shoal_v1_ShareKeysRequest__Output, _shoal_v1_ShareKeysResponse__Output>
  SignSurvivors: MethodDefinition<_shoal_v1_SignSurvivorsRequest, _shoal_v1_SignSurvivorsResponse, _shoal_v1_SignSurvivorsRequest__Output, _shoal_v1_SignSurvivorsResponse__Output>
  Submit: MethodDefinition<_shoal_v1_SubmitMessage, _shoal_v1_SubmitAck, _shoal_v1_SubmitMessage__Output, _shoal_v1_SubmitAck__Output>
  Unmask: MethodDefinition<_shoal_v1_UnmaskRequest, _shoal_v1_UnmaskResponse, _shoal_v1_UnmaskRequest__Output, _shoal_v1_UnmaskResponse__Output>
}
