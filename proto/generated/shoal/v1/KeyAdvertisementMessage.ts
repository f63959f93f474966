// Original file: proto/shoal/v1/secure_aggregation.proto


export interface KeyAdvertisementMessage {
  'orgId'?: (string);
  'encryptionKey'?: (Buffer | Uint8Array | string);
  'maskingKey'?: (Buffer | Uint8Array | string);
  'signature'?: (Buffer | Uint8Array | string);
  'seedCommitment'?: (Buffer | Uint8Array | string);
}

export interface KeyAdvertisementMessage__Output {
  'orgId': (string);
  'encryptionKey': (Buffer);
  'maskingKey': (Buffer);
  'signature': (Buffer);
  'seedCommitment': (Buffer);
}
