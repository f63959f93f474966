// Original file: proto/shoal/v1/secure_aggregation.proto


export interface IdentityProof {
  'certificate'?: (Buffer | Uint8Array | string);
  'signature'?: (Buffer | Uint8Array | string);
}

export interface IdentityProof__Output {
  'certificate': (Buffer);
  'signature': (Buffer);
}
