/**
 * The agent's check of every task against the job the organisation
 * accepted: settings, counts, roster and noise, derived from the signed spec
 * and the organisation's policy, never from the coordinator.
 */
export { approveJob, approvedFit, type ApprovedFit, type ApprovedJob, type RosterPolicy } from './approved-job';
export { checkRoster } from './check-roster';
export { checkTask, rosterOf, DEADLINE_MARGIN_MS } from './check-task';
export { MAX_DELIVERIES_PER_ROUND, TaskCounter, type CountedKind } from './task-counter';
export type { TaskRefusal, TaskRefusalCode } from './task-refusal';
