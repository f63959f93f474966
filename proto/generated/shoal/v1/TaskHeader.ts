// Original file: proto/shoal/v1/coordinator.proto

import type { TaskKind as _shoal_v1_TaskKind, TaskKind__Output as _shoal_v1_TaskKind__Output } from '../../shoal/v1/TaskKind';
import type { FitInstructions as _shoal_v1_FitInstructions, FitInstructions__Output as _shoal_v1_FitInstructions__Output } from '../../shoal/v1/FitInstructions';
import type { Normalization as _shoal_v1_Normalization, Normalization__Output as _shoal_v1_Normalization__Output } from '../../shoal/v1/Normalization';
import type { VectorHeader as _shoal_v1_VectorHeader, VectorHeader__Output as _shoal_v1_VectorHeader__Output } from '../../shoal/v1/VectorHeader';
import type { SecureAggregationSettings as _shoal_v1_SecureAggregationSettings, SecureAggregationSettings__Output as _shoal_v1_SecureAggregationSettings__Output } from '../../shoal/v1/SecureAggregationSettings';

export interface TaskHeader {
  'kind'?: (_shoal_v1_TaskKind);
  'round'?: (number);
  'collectionId'?: (string);
  'fit'?: (_shoal_v1_FitInstructions | null);
  'normalization'?: (_shoal_v1_Normalization | null);
  'model'?: (_shoal_v1_VectorHeader | null);
  'deadlineUnixMs'?: (number | string);
  'jobOutcome'?: (string);
  'secure'?: (_shoal_v1_SecureAggregationSettings | null);
}

export interface TaskHeader__Output {
  'kind': (_shoal_v1_TaskKind__Output);
  'round': (number);
  'collectionId': (string);
  'fit': (_shoal_v1_FitInstructions__Output | null);
  'normalization': (_shoal_v1_Normalization__Output | null);
  'model': (_shoal_v1_VectorHeader__Output | null);
  'deadlineUnixMs': (number);
  'jobOutcome': (string);
  'secure': (_shoal_v1_SecureAggregationSettings__Output | null);
}
