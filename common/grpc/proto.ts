/**
 * Loads the versioned .proto contracts once and exposes typed service
 * definitions and client constructors for the rest of the code.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as AggregatorProto } from '../../proto/generated/aggregator';
import type { ProtoGrpcType as CoordinatorProto } from '../../proto/generated/coordinator';

/** Chunks are 1 MiB; 16 MiB leaves room for headers (tensor manifests) without inviting abuse. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // A job's server that was restarted is back within seconds: dial it again soon, not after grpc's growing default backoff.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
};

/**
 * Channel options for one server address. Dialling an IP literal over TLS
 * would send it as the TLS server name, which Node forbids (DEP0123); the
 * server's identity is checked from its certificate (role and job), not from
 * the name, so a fixed name that every server certificate carries is sent.
 */
export function channelOptionsFor(address: string): grpc.ChannelOptions {
  const host = address.replace(/^\[/, '').replace(/\]?:\d+$/, '');
  return isIP(host) ? { ...CHANNEL_OPTIONS, 'grpc.ssl_target_name_override': 'localhost' } : CHANNEL_OPTIONS;
}

/** HTTP/2 streams one connection may have open; calls per peer are limited as well (call-limits.ts), since a peer may open several connections. */
export const MAX_CONCURRENT_STREAMS = 64;

export const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
};

/** The proto/ folder, found from either the sources (jest) or the compiled dist/ tree. */
function protoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'shoal', 'v1', 'vector.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`cannot find proto/shoal/v1 above ${__dirname}`);
}

let loaded: { coordinator: CoordinatorProto; aggregator: AggregatorProto } | undefined;

export function shoalProto(): { coordinator: CoordinatorProto; aggregator: AggregatorProto } {
  if (!loaded) {
    const root = protoRoot();
    const options: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [root] };
    const load = (file: string): grpc.GrpcObject => grpc.loadPackageDefinition(protoLoader.loadSync(file, options));
    loaded = {
      coordinator: load('shoal/v1/coordinator.proto') as unknown as CoordinatorProto,
      aggregator: load('shoal/v1/aggregator.proto') as unknown as AggregatorProto,
    };
  }
  return loaded;
}
