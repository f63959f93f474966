// Original file: proto/shoal/v1/secure_aggregation.proto


export interface PhaseCaller {
  'jobId'?: (string);
  'collectionId'?: (string);
  'orgId'?: (string);
}

export interface PhaseCaller__Output {
  'jobId': (string);
  'collectionId': (string);
  'orgId': (string);
}
