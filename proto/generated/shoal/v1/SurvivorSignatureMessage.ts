// Original file: proto/shoal/v1/secure_aggregation.proto


export interface SurvivorSignatureMessage {
  'orgId'?: (string);
  'signature'?: (Buffer | Uint8Array | string);
}

export interface SurvivorSignatureMessage__Output {
  'orgId': (string);
  'signature': (Buffer);
}
