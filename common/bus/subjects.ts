/**
 * Every control-plane subject, in one module. Organisation ids and job ids
 * are validated identifiers (no dots or wildcards), so they are safe tokens.
 */
export const subjects = {
  /** Offers addressed to one organisation (request/reply: the reply is its decision). */
  offers: (orgId: string): string => `shoal.offers.${orgId}`,
  /** Decisions of the invited organisations, relayed by the launcher to the job's coordinator. */
  decisions: (jobId: string): string => `shoal.jobs.${jobId}.decisions`,
  /** Job and round events published by the coordinator. */
  events: (jobId: string): string => `shoal.jobs.${jobId}.events`,
  allJobEvents: 'shoal.jobs.*.events',
  /** Request/reply: the live status of a running job, answered by its coordinator. */
  status: (jobId: string): string => `shoal.jobs.${jobId}.status`,
} as const;
