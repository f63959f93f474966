/**
 * The organisation's audit trail as the agent writes it: every offer,
 * decision, sandbox run, output check and what was sent goes into one
 * hash-chained log signed with the organisation's identity key. The signed
 * head is also sent to a job's coordinator, so the job's report pins how far
 * this log had grown, and neither side can later rewrite its own story.
 */
import type { Bus } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { AuditLog } from '../common/audit';
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

  head(): { seq: number; hash: string } {
    return this.log.head();
  }

  /** Sends the current head, signed, to the job's coordinator. */
  publishHead(jobId: string): void {
    const head = this.log.head();
    this.bus.publish(subjects.auditHeads(jobId), signAuditHead({ jobId, orgId: this.identity.orgId, seq: head.seq, hash: head.hash, at: new Date().toISOString() }, this.identity));
  }
}
