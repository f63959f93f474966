/**
 * Every control-plane subject, in one module. Organisation ids and job ids
 * are validated identifiers (no dots or wildcards), so they are safe tokens.
 */
export const subjects = {
  /** Signed offers addressed to one organisation (request/reply: the reply is a receipt; the decision follows on the job's decisions subject). */
  offers: (orgId: string): string => `shoal.offers.${orgId}`,
  /**
   * One invited organisation's signed decision, read by the job's coordinator
   * and the regulator. The organisation is in the subject so NATS lets each
   * publish only its own; readers subscribe with orgId '*' and check the
   * subject's last token against the signed body.
   */
  decisions: (jobId: string, orgId: string): string => `shoal.jobs.${jobId}.decisions.${orgId}`,
  /** A participant's signed audit-chain head, pinned in the job's report (organisation in the subject, as for decisions). */
  auditHeads: (jobId: string, orgId: string): string => `shoal.jobs.${jobId}.audit-heads.${orgId}`,
  /** The organisation a per-organisation subject (decisions, audit heads) was published under. */
  publisherOf: (subject: string): string => subject.slice(subject.lastIndexOf('.') + 1),
  /** Job and round events published by the coordinator. */
  events: (jobId: string): string => `shoal.jobs.${jobId}.events`,
  allJobEvents: 'shoal.jobs.*.events',
  /** Request/reply: the live status of a running job, answered by its coordinator. */
  status: (jobId: string): string => `shoal.jobs.${jobId}.status`,
  /** Request/reply: the regulator asks a running job's coordinator to stop it; the reply says whether it accepted. */
  cancel: (jobId: string): string => `shoal.jobs.${jobId}.cancel`,
} as const;
