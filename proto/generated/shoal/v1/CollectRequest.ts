// Original file: proto/shoal/v1/aggregator.proto


export interface CollectRequest {
  'jobId'?: (string);
  'collectionId'?: (string);
}

export interface CollectRequest__Output {
  'jobId': (string);
  'collectionId': (string);
}
