/**
 * The coordinator's side of the record: a signed, hash-chained transcript of
 * the job (the same audit-log format the organisations keep), plus the signed
 * decisions and audit-chain heads the organisations sent. A later dispute is
 * settled by comparing these against each organisation's own log.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AuditLog } from '../common/audit';
import { errorMessage } from '../common/errors';
import { openAuditHead, openDecision, type DecisionBody } from '../common/offer-protocol';
import { writeFileAtomic } from '../common/atomic-file';
import { generateIdentity, identityFromPem } from '../common/secagg';
import { canonicalJson, sha256Hex } from '../common/signing';
import type { JobSpec } from '../common/job-spec';

export interface RecordedDecision {
  orgId: string;
  accepted: boolean;
  decidedBy: DecisionBody['decidedBy'];
  decider: string | null;
  /** '' when the organisation keeps its reasons to itself. */
  reason: string;
  at: string;
  /** The organisation's key that signed the decision. */
  signer: string;
}

export interface RecordedAuditHead {
  orgId: string;
  seq: number;
  hash: string;
  at: string;
  signer: string;
}

export interface TranscriptSummary {
  decisions: RecordedDecision[];
  auditHeads: RecordedAuditHead[];
  transcript: { path: string; publicKey: string; head: { seq: number; hash: string } };
}

/** What the transcript knows besides its log, kept in checkpoints so a resumed coordinator judges decisions and heads the same way. */
export interface TranscriptSnapshot {
  decisions: RecordedDecision[];
  auditHeads: RecordedAuditHead[];
  joinedKeys: Array<[string, string]>;
  decisionSeqs: Array<[string, number]>;
}

/** The transcript's signing key, kept beside it only while the job runs (a resumed coordinator signs on with it). */
const KEY_FILE = 'transcript-key.pem';

export class JobTranscript {
  private readonly log: AuditLog;
  private readonly decisions = new Map<string, RecordedDecision>();
  private readonly heads = new Map<string, RecordedAuditHead>();
  /** The identity key each participant joined with: its decisions and heads must be signed by it. */
  private readonly joinedKeys = new Map<string, string>();
  /** The audit seq each recorded decision carried: an earlier decision replayed later must not win. */
  private readonly decisionSeqs = new Map<string, number>();

  private readonly keyPath: string;

  /**
   * A fresh job opens a new transcript under a key of the job's own (the
   * report carries its public half). A job resumed from a checkpoint signs
   * on in the same log with the same key, and takes back what it knew.
   */
  constructor(private readonly spec: JobSpec, outDir: string, private readonly logger: Logger, resume?: { snapshot: TranscriptSnapshot; fromRound: number; starts: number }) {
    const owner = `coordinator:${spec.jobId}`;
    const path = join(outDir, 'transcript.jsonl');
    this.keyPath = join(outDir, KEY_FILE);
    if (resume && existsSync(this.keyPath)) {
      this.log = AuditLog.open(path, { owner, identity: identityFromPem(owner, readFileSync(this.keyPath, 'utf8')) });
      this.restore(resume.snapshot);
      this.log.append('job.resumed', { jobId: spec.jobId, fromRound: resume.fromRound, starts: resume.starts });
      return;
    }
    // A job run again into the same folder gets a new key: the old run's transcript is kept beside it, not appended to.
    if (existsSync(path)) renameSync(path, join(outDir, `transcript.${Date.now()}.jsonl`));
    const identity = generateIdentity(owner);
    writeFileAtomic(this.keyPath, identity.privateKeyPem, { mode: 0o600 });
    this.log = AuditLog.open(path, { owner, identity });
    this.log.append('job.opened', { jobId: spec.jobId, specSha256: sha256Hex(canonicalJson(spec)), invited: spec.invitedOrgs });
    if (resume) {
      // The key is gone, so the old chain cannot be continued; what the checkpoint knew is carried over and said so.
      this.restore(resume.snapshot);
      this.log.append('job.resumed', { jobId: spec.jobId, fromRound: resume.fromRound, starts: resume.starts, previousTranscript: 'renamed aside: its key was missing' });
    }
  }

  snapshot(): TranscriptSnapshot {
    return { decisions: [...this.decisions.values()], auditHeads: [...this.heads.values()], joinedKeys: [...this.joinedKeys], decisionSeqs: [...this.decisionSeqs] };
  }

  private restore(snapshot: TranscriptSnapshot): void {
    for (const decision of snapshot.decisions) this.decisions.set(decision.orgId, decision);
    for (const head of snapshot.auditHeads) this.heads.set(head.orgId, head);
    for (const [orgId, key] of snapshot.joinedKeys) this.joinedKeys.set(orgId, key);
    for (const [orgId, seq] of snapshot.decisionSeqs) this.decisionSeqs.set(orgId, seq);
  }

  /** The job is over: nothing more will be signed, so the key goes. */
  discardKey(): void {
    rmSync(this.keyPath, { force: true });
  }

  record(type: string, data: Record<string, unknown>): void {
    this.log.append(type, data);
  }

  /** A signed decision from the bus; returns it when it is valid and from an invited organisation. */
  acceptDecision(message: unknown, publisher?: string): RecordedDecision | null {
    let opened;
    try {
      opened = openDecision(message);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'an unsigned or forged decision was ignored');
      this.log.append('decision.refused', { reason: errorMessage(err) });
      return null;
    }
    const { body, signer } = opened;
    if (publisher !== undefined && publisher !== body.orgId) {
      this.log.append('decision.refused', { reason: `a decision for ${body.orgId} published under ${publisher}'s subject`, signer });
      return null;
    }
    if (body.jobId !== this.spec.jobId || !this.spec.invitedOrgs.includes(body.orgId)) {
      this.log.append('decision.refused', { reason: `a decision for job ${body.jobId} from ${body.orgId}, which this job did not invite`, signer });
      return null;
    }
    const known = this.decisions.get(body.orgId);
    const joinedWith = this.joinedKeys.get(body.orgId);
    if ((joinedWith && joinedWith !== signer) || (!joinedWith && known && known.signer !== signer)) {
      this.log.append('decision.refused', { orgId: body.orgId, reason: joinedWith ? 'not signed by the key the organisation joined with' : 'a second decision signed by another key', signer });
      return null;
    }
    // The latest decision stands (each comes later in the organisation's own audit log); a replayed older one is refused.
    const knownSeq = this.decisionSeqs.get(body.orgId);
    if (knownSeq !== undefined && body.auditHead.seq <= knownSeq) {
      this.log.append('decision.refused', { orgId: body.orgId, reason: `an earlier decision replayed (audit seq ${body.auditHead.seq}; the recorded one is at ${knownSeq})`, signer });
      return null;
    }
    const decision: RecordedDecision = { orgId: body.orgId, accepted: body.accepted, decidedBy: body.decidedBy, decider: body.decider, reason: body.reason, at: body.at, signer };
    this.decisions.set(body.orgId, decision);
    this.decisionSeqs.set(body.orgId, body.auditHead.seq);
    this.log.append('decision.received', { ...decision, auditHead: body.auditHead, offerSha256: body.offerSha256, signature: (message as { signature: string }).signature });
    this.acceptHead(body.orgId, { ...body.auditHead, at: body.at, signer });
    return decision;
  }

  /**
   * A participant joined with this identity key: from now on only its key
   * counts, and a decision or head someone else signed in its name is dropped.
   */
  onJoin(orgId: string, identityKey: string | undefined): void {
    this.log.append('participant.joined', { orgId, identityKey: identityKey ?? null });
    if (!identityKey) return;
    this.joinedKeys.set(orgId, identityKey);
    const decision = this.decisions.get(orgId);
    if (decision && decision.signer !== identityKey) {
      this.log.append('decision.discarded', { orgId, reason: 'signed by a key other than the one the organisation joined with', signer: decision.signer });
      this.decisions.delete(orgId);
      this.decisionSeqs.delete(orgId);
      this.heads.delete(orgId);
    }
  }

  /** A participant's signed audit head; kept only when signed by the key that signed its decision. */
  acceptAuditHead(message: unknown, publisher?: string): void {
    let opened;
    try {
      opened = openAuditHead(message);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'an unsigned or forged audit head was ignored');
      this.log.append('audit-head.refused', { reason: errorMessage(err) });
      return;
    }
    const { body, signer } = opened;
    const decision = this.decisions.get(body.orgId);
    if (publisher !== undefined && publisher !== body.orgId) {
      this.log.append('audit-head.refused', { orgId: body.orgId, reason: `published under ${publisher}'s subject`, signer });
      return;
    }
    if (body.jobId !== this.spec.jobId) {
      this.log.append('audit-head.refused', { orgId: body.orgId, reason: `a head for job ${body.jobId}`, signer });
      return;
    }
    if (!decision || decision.signer !== signer) {
      this.log.append('audit-head.refused', { orgId: body.orgId, reason: 'not signed by the key that signed the organisation\'s decision', signer });
      return;
    }
    this.acceptHead(body.orgId, { seq: body.seq, hash: body.hash, at: body.at, signer });
  }

  private acceptHead(orgId: string, head: Omit<RecordedAuditHead, 'orgId'>): void {
    const known = this.heads.get(orgId);
    // The same seq with another hash means the organisation's log forked: evidence worth keeping.
    if (known && known.seq === head.seq && known.hash !== head.hash) this.log.append('audit-head.conflict', { orgId, seq: head.seq, recorded: known.hash, received: head.hash });
    if (known && known.seq >= head.seq) return;
    this.heads.set(orgId, { orgId, ...head });
    this.log.append('audit-head.received', { orgId, seq: head.seq, hash: head.hash });
  }

  summary(): TranscriptSummary {
    const byOrg = <T extends { orgId: string }>(a: T, b: T): number => a.orgId.localeCompare(b.orgId);
    return {
      decisions: [...this.decisions.values()].sort(byOrg),
      auditHeads: [...this.heads.values()].sort(byOrg),
      transcript: { path: this.log.path, publicKey: this.log.publicKey, head: this.log.head() },
    };
  }
}
