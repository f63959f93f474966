// Original file: proto/shoal/v1/secure_aggregation.proto


export interface EncryptedShareMessage {
  'from'?: (string);
  'to'?: (string);
  'ciphertext'?: (Buffer | Uint8Array | string);
}

export interface EncryptedShareMessage__Output {
  'from': (string);
  'to': (string);
  'ciphertext': (Buffer);
}
