// Original file: proto/shoal/v1/secure_aggregation.proto


export interface RevealedShareMessage {
  'owner'?: (string);
  'kind'?: (string);
  'x'?: (number);
  'y'?: (Buffer | Uint8Array | string);
}

export interface RevealedShareMessage__Output {
  'owner': (string);
  'kind': (string);
  'x': (number);
  'y': (Buffer);
}
