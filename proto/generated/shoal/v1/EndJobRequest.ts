// Original file: proto/shoal/v1/aggregator.proto


export interface EndJobRequest {
  'jobId'?: (string);
}

export interface EndJobRequest__Output {
  'jobId': (string);
}
