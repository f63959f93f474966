// Original file: proto/shoal/v1/coordinator.proto


export interface JoinResponse {
  'admitted'?: (boolean);
  'reason'?: (string);
  'participantsSoFar'?: (number);
}

export interface JoinResponse__Output {
  'admitted': (boolean);
  'reason': (string);
  'participantsSoFar': (number);
}
