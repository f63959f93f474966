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

  constructor(path: string, private readonly identity: IdentityKeyPair, private readonly bus: Bus) {
    this.log = AuditLog.open(path, { owner: identity.orgId, identity });
  }

  get path(): string {
    return this.log.path;
  }

  /** Appends one entry; `actor` is the person who decided, when it was one. */
  record(type: string, data: Record<string, unknown>, actor?: string): void {
    this.log.append(type, data, actor);
  }

  /** Jobs this organisation already decided on, from its own (verified) log: job id → accepted. */
  decidedJobs(): Map<string, boolean> {
    const decided = new Map<string, boolean>();
    for (const line of readFileSync(this.log.path, 'utf8').split('\n')) {
      if (!line.includes('"offer.decision"')) continue;
      const entry = JSON.parse(line) as AuditEntry;
      if (entry.type === 'offer.decision' && typeof entry.data.jobId === 'string') decided.set(entry.data.jobId, entry.data.accepted === true);
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
