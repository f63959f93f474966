// Original file: proto/shoal/v1/coordinator.proto


export interface NextTaskRequest {
  'jobId'?: (string);
  'orgId'?: (string);
}

export interface NextTaskRequest__Output {
  'jobId': (string);
  'orgId': (string);
}
