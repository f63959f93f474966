// Original file: proto/shoal/v1/secure_aggregation.proto


export interface ConsistencyCheckResponse {
  'survivors'?: (string)[];
}

export interface ConsistencyCheckResponse__Output {
  'survivors': (string)[];
}
