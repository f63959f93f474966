// Original file: proto/shoal/v1/vector.proto


export interface TensorSpec {
  'name'?: (string);
  'shape'?: (number)[];
}

export interface TensorSpec__Output {
  'name': (string);
  'shape': (number)[];
}
