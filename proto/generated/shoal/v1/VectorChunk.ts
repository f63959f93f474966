// Original file: proto/shoal/v1/vector.proto

import type { Long } from '@grpc/proto-loader';

export interface VectorChunk {
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
}

export interface VectorChunk__Output {
  'offset': (number);
  'data': (Buffer);
}
