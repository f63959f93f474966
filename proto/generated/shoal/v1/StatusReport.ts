// Original file: proto/shoal/v1/coordinator.proto


export interface StatusReport {
  'jobId'?: (string);
  'orgId'?: (string);
  'collectionId'?: (string);
  'code'?: (string);
  'message'?: (string);
}

export interface StatusReport__Output {
  'jobId': (string);
  'orgId': (string);
  'collectionId': (string);
  'code': (string);
  'message': (string);
}
