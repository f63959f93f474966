/**
 * The organisation's audit trail as the agent writes it: every offer,
 * decision, sandbox run, output check and what was sent goes into one
 * hash-chained log signed with the organisation's identity key. The signed
 * head is also sent to a job's coordinator, so the job's report pins how far
 * this log had grown, and neither side can later rewrite its own story.
 */
import type { Bus } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { readFileSync } from 'node:fs';
import { AuditLog, type AuditEntry } from '../common/audit';
import { signAuditHead } from '../common/offer-protocol';
import type { IdentityKeyPair } from '../common/secagg';

export class AgentAudit {
  private readonly log: AuditLog;

  /**
   * `trail.headFile` keeps the log's last head outside it; `trail.established`
   * (the identity key existed before this start) means the log must exist.
   * Either way a missing, emptied or cut log is refused (AUDIT_LOG_MISSING,
   * AUDIT_LOG_TRUNCATED) instead of silently starting a new trail.
   */
  constructor(path: string, private readonly identity: IdentityKeyPair, private readonly bus: Bus, trail: { headFile?: string; established?: boolean } = {}) {
    this.log = AuditLog.open(path, { owner: identity.orgId, identity, headFile: trail.headFile, established: trail.established });
  }

  get path(): string {
    return this.log.path;
  }

  /** Appends one entry; `actor` is the person who decided, when it was one. */
  record(type: string, data: Record<string, unknown>, actor?: string): void {
    this.log.append(type, data, actor);
  }

  /**
   * Jobs this organisation already decided on, from its own (verified) log:
   * job id → accepted, and the SHA-256 of the offer decided (from the
   * decision, or for entries written before decisions named it, from the
   * job's last offer.received before it; null when neither says).
   */
  decidedJobs(): Map<string, { accepted: boolean; offerSha256: string | null }> {
    const decided = new Map<string, { accepted: boolean; offerSha256: string | null }>();
    const received = new Map<string, string>();
    for (const line of readFileSync(this.log.path, 'utf8').split('\n')) {
      if (!line.includes('"offer.decision"') && !line.includes('"offer.received"')) continue;
      const entry = JSON.parse(line) as AuditEntry;
      const { jobId, offerSha256 } = entry.data;
      if (typeof jobId !== 'string') continue;
      if (entry.type === 'offer.received' && typeof offerSha256 === 'string') received.set(jobId, offerSha256);
      if (entry.type === 'offer.decision') decided.set(jobId, { accepted: entry.data.accepted === true, offerSha256: typeof offerSha256 === 'string' ? offerSha256 : (received.get(jobId) ?? null) });
    }
    return decided;
  }

  head(): { seq: number; hash: string } {
    return this.log.head();
  }

  /** Sends the current head, signed, to the job's coordinator. */
  publishHead(jobId: string): void {
    const head = this.log.head();
    this.bus.publish(subjects.auditHeads(jobId, this.identity.orgId), signAuditHead({ jobId, orgId: this.identity.orgId, seq: head.seq, hash: head.hash, at: new Date().toISOString() }, this.identity));
  }
}
