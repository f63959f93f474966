// Original file: proto/shoal/v1/coordinator.proto


export interface JoinRequest {
  'jobId'?: (string);
  'orgId'?: (string);
  'agentVersion'?: (string);
  'identityKey'?: (Buffer | Uint8Array | string);
}

export interface JoinRequest__Output {
  'jobId': (string);
  'orgId': (string);
  'agentVersion': (string);
  'identityKey': (Buffer);
}
