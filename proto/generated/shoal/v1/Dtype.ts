// Original file: proto/shoal/v1/vector.proto

export const Dtype = {
  DTYPE_FLOAT32: 'DTYPE_FLOAT32',
  DTYPE_FLOAT64: 'DTYPE_FLOAT64',
  DTYPE_UINT32: 'DTYPE_UINT32',
} as const;

export type Dtype =
  | 'DTYPE_FLOAT32'
  | 0
  | 'DTYPE_FLOAT64'
  | 1
  | 'DTYPE_UINT32'
  | 2

export type Dtype__Output = typeof Dtype[keyof typeof Dtype]
