// Original file: proto/shoal/v1/coordinator.proto

import type { TaskHeader as _shoal_v1_TaskHeader, TaskHeader__Output as _shoal_v1_TaskHeader__Output } from '../../shoal/v1/TaskHeader';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from '../../shoal/v1/VectorChunk';

export interface TaskMessage {
  'header'?: (_shoal_v1_TaskHeader | null);
  'modelChunk'?: (_shoal_v1_VectorChunk | null);
  'body'?: "header"|"modelChunk";
}

export interface TaskMessage__Output {
  'header'?: (_shoal_v1_TaskHeader__Output | null);
  'modelChunk'?: (_shoal_v1_VectorChunk__Output | null);
  'body'?: "header"|"modelChunk";
}
