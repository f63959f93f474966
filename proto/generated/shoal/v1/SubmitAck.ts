// Original file: proto/shoal/v1/aggregator.proto


export interface SubmitAck {
  'contributorsSoFar'?: (number);
}

export interface SubmitAck__Output {
  'contributorsSoFar': (number);
}
