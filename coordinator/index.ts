export { Coordinator, type CoordinatorOptions, type JobReport } from './coordinator';
export { CoordinatorClient, type ReceivedTask } from './coordinator-client';
export { checkTaskHeader, type RefusedTaskFacts } from './task-header-check';
export { applyJobEvent, type JobEvent, type JobEventType, type JobStatus, type RoundMetrics } from './job-events';
export type { RoundRecord } from './job-runner';
export type { RecordedAuditHead, RecordedDecision, TranscriptSummary } from './job-transcript';
export { CoordinatorError, type CoordinatorErrorCode } from './errors';
export { createStrategy, type Strategy, type FitInstructions } from './strategies';
