// Original file: proto/shoal/v1/aggregator.proto

import type { ContributionHeader as _shoal_v1_ContributionHeader, ContributionHeader__Output as _shoal_v1_ContributionHeader__Output } from '../../shoal/v1/ContributionHeader';
import type { VectorChunk as _shoal_v1_VectorChunk, VectorChunk__Output as _shoal_v1_VectorChunk__Output } from '../../shoal/v1/VectorChunk';

export interface SubmitMessage {
  'header'?: (_shoal_v1_ContributionHeader | null);
  'chunk'?: (_shoal_v1_VectorChunk | null);
  'body'?: "header"|"chunk";
}

export interface SubmitMessage__Output {
  'header'?: (_shoal_v1_ContributionHeader__Output | null);
  'chunk'?: (_shoal_v1_VectorChunk__Output | null);
  'body'?: "header"|"chunk";
}
