// Original file: proto/shoal/v1/aggregator.proto


export interface MarkDroppedRequest {
  'jobId'?: (string);
  'collectionId'?: (string);
  'orgId'?: (string);
  'reason'?: (string);
}

export interface MarkDroppedRequest__Output {
  'jobId': (string);
  'collectionId': (string);
  'orgId': (string);
  'reason': (string);
}
