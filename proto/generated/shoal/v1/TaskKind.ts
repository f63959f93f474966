// Original file: proto/shoal/v1/coordinator.proto

export const TaskKind = {
  TASK_KIND_UNSPECIFIED: 'TASK_KIND_UNSPECIFIED',
  TASK_KIND_STATISTICS: 'TASK_KIND_STATISTICS',
  TASK_KIND_FIT: 'TASK_KIND_FIT',
  TASK_KIND_EVALUATE: 'TASK_KIND_EVALUATE',
  TASK_KIND_FINISHED: 'TASK_KIND_FINISHED',
} as const;

export type TaskKind =
  | 'TASK_KIND_UNSPECIFIED'
  | 0
  | 'TASK_KIND_STATISTICS'
  | 1
  | 'TASK_KIND_FIT'
  | 2
  | 'TASK_KIND_EVALUATE'
  | 3
  | 'TASK_KIND_FINISHED'
  | 4

export type TaskKind__Output = typeof TaskKind[keyof typeof TaskKind]
