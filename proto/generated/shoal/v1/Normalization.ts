// Original file: proto/shoal/v1/coordinator.proto


export interface Normalization {
  'mean'?: (number | string)[];
  'std'?: (number | string)[];
}

export interface Normalization__Output {
  'mean': (number)[];
  'std': (number)[];
}
