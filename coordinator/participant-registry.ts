/**
 * Who is in the job and in what state, plus one task mailbox per
 * participant: the coordinator puts a task in, the participant's pending
 * NextTask call takes it out. A task that could not be delivered stays queued.
 */
import type { IdentityProof } from '../common/pki';
import type { TaskHeader } from '../proto/generated/shoal/v1/TaskHeader';
import { CoordinatorError } from './errors';

export interface Task {
  header: TaskHeader;
  /** Global model weights, streamed after the header. */
  model?: { vector: Float32Array; tensors: Array<{ name: string; shape: number[] }> };
}

export type ParticipantState = 'active' | 'dropped';

export interface Participant {
  orgId: string;
  state: ParticipantState;
  joinedAt: number;
  lastSeen: number;
  missedInARow: number;
  droppedReason?: string;
  /** It left on its own (its output policy): unlike a participant dropped for missing rounds, it never comes back. */
  withdrawn?: boolean;
  /** Raw Ed25519 public key that signs its secure-aggregation messages (empty if it sent none). */
  identityKey: Uint8Array;
  /** Its proof that identityKey is bound to its certificate, checked at Join and forwarded to its peers, who check it themselves. */
  identityProof?: IdentityProof;
}

class Mailbox {
  private readonly tasks: Task[] = [];
  private waiter: ((task: Task) => void) | undefined;

  put(task: Task): void {
    if (this.waiter) {
      const deliver = this.waiter;
      this.waiter = undefined;
      deliver(task);
    } else {
      this.tasks.push(task);
    }
  }

  /** Puts back a task whose delivery failed so the participant's next call receives it. */
  putBack(task: Task): void {
    this.tasks.unshift(task);
  }

  take(signal: AbortSignal): Promise<Task | undefined> {
    const queued = this.tasks.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        if (this.waiter === deliver) this.waiter = undefined;
        resolve(undefined);
      };
      const deliver = (task: Task): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(task);
      };
      this.waiter = deliver;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  clear(): void {
    this.tasks.length = 0;
  }

  get pending(): number {
    return this.tasks.length;
  }

  /** Drops queued tasks (the job is over) and leaves only `last`. */
  replaceAll(last: Task): void {
    this.tasks.length = 0;
    this.put(last);
  }
}

/** A participant as a checkpoint keeps it: enough for a resumed coordinator to know who is in the job. */
export interface ParticipantSnapshot {
  orgId: string;
  state: ParticipantState;
  joinedAt: number;
  missedInARow: number;
  droppedReason: string | null;
  withdrawn: boolean;
  /** Base64 of the raw identity key. */
  identityKey: string;
  /** Base64 of the proof's certificate (DER) and signature; absent in checkpoints written before proofs existed. */
  identityProof?: { certificate: string; signature: string } | null;
}

/** A resumed coordinator must still forward each participant's proof: its peers refuse a key without one. */
function proofSnapshot(proof: IdentityProof | undefined): ParticipantSnapshot['identityProof'] {
  return proof ? { certificate: Buffer.from(proof.certificate).toString('base64'), signature: Buffer.from(proof.signature).toString('base64') } : null;
}

function proofFromSnapshot(proof: ParticipantSnapshot['identityProof']): IdentityProof | undefined {
  return proof ? { certificate: new Uint8Array(Buffer.from(proof.certificate, 'base64')), signature: new Uint8Array(Buffer.from(proof.signature, 'base64')) } : undefined;
}

export class ParticipantRegistry {
  private readonly participants = new Map<string, Participant>();
  private readonly mailboxes = new Map<string, Mailbox>();
  private admissionOpen = true;

  constructor(private readonly invited: readonly string[]) {}

  admit(orgId: string, identityKey: Uint8Array = new Uint8Array(0), now = Date.now()): Participant {
    if (!this.invited.includes(orgId)) throw new CoordinatorError('NOT_INVITED', `${orgId} is not invited to this job`);
    const existing = this.participants.get(orgId);
    if (existing) {
      // A participant may re-join (it restarted), but never under another identity.
      if (Buffer.compare(Buffer.from(existing.identityKey), Buffer.from(identityKey)) !== 0) {
        throw new CoordinatorError('NOT_ADMITTED', `${orgId} joined again with a different identity key`);
      }
      existing.lastSeen = now;
      return existing;
    }
    if (!this.admissionOpen) throw new CoordinatorError('ADMISSION_CLOSED', `admission to this job has closed; ${orgId} joined too late`);
    const participant: Participant = { orgId, state: 'active', joinedAt: now, lastSeen: now, missedInARow: 0, identityKey };
    this.participants.set(orgId, participant);
    this.mailboxes.set(orgId, new Mailbox());
    return participant;
  }

  closeAdmission(): void {
    this.admissionOpen = false;
  }

  snapshot(): ParticipantSnapshot[] {
    return this.all().map((p) => ({ orgId: p.orgId, state: p.state, joinedAt: p.joinedAt, missedInARow: p.missedInARow, droppedReason: p.droppedReason ?? null, withdrawn: p.withdrawn === true, identityKey: Buffer.from(p.identityKey).toString('base64'), identityProof: proofSnapshot(p.identityProof) }));
  }

  /** A resumed job: the participants of the checkpoint, each with an empty mailbox, and admission closed. */
  restore(snapshot: ParticipantSnapshot[], now = Date.now()): void {
    this.participants.clear();
    this.mailboxes.clear();
    for (const p of snapshot) {
      if (!this.invited.includes(p.orgId)) throw new CoordinatorError('CHECKPOINT_INVALID', `the checkpoint names ${p.orgId}, which this job did not invite`);
      this.participants.set(p.orgId, { orgId: p.orgId, state: p.state, joinedAt: p.joinedAt, lastSeen: now, missedInARow: p.missedInARow, droppedReason: p.droppedReason ?? undefined, withdrawn: p.withdrawn, identityKey: new Uint8Array(Buffer.from(p.identityKey, 'base64')), identityProof: proofFromSnapshot(p.identityProof) });
      this.mailboxes.set(p.orgId, new Mailbox());
    }
    this.admissionOpen = false;
  }

  /**
   * A participant dropped for missing rounds asks for work again (a
   * straggler that caught up, or one whose network came back): it is active
   * again from the next cohort. Returns true when it was dropped. One that
   * withdrew stays out.
   */
  rejoin(orgId: string): boolean {
    const participant = this.get(orgId);
    if (participant.state !== 'dropped' || participant.withdrawn) return false;
    participant.state = 'active';
    participant.missedInARow = 0;
    participant.droppedReason = undefined;
    return true;
  }

  /** Forgets tasks a participant has not picked up yet (their collection was abandoned and is being retried). */
  clearQueued(orgId: string): void {
    this.mailbox(orgId).clear();
  }

  get(orgId: string): Participant {
    const participant = this.participants.get(orgId);
    if (!participant) throw new CoordinatorError('NOT_ADMITTED', `${orgId} has not joined this job`);
    return participant;
  }

  mailbox(orgId: string): Mailbox {
    this.get(orgId);
    return this.mailboxes.get(orgId) as Mailbox;
  }

  active(): string[] {
    return [...this.participants.values()].filter((p) => p.state === 'active').map((p) => p.orgId).sort();
  }

  has(orgId: string): boolean {
    return this.participants.has(orgId);
  }

  all(): Participant[] {
    return [...this.participants.values()];
  }

  get size(): number {
    return this.participants.size;
  }

  /** A participant contributed: its run of misses resets. */
  recordContribution(orgId: string): void {
    this.get(orgId).missedInARow = 0;
  }

  /** A participant missed a collection; returns true when that drops it from the job. */
  recordMiss(orgId: string, reason: string, maxMissedRounds: number): boolean {
    const participant = this.get(orgId);
    if (participant.state === 'dropped') return false;
    participant.missedInARow++;
    if (participant.missedInARow < maxMissedRounds) return false;
    participant.state = 'dropped';
    participant.droppedReason = reason;
    return true;
  }

  /** A participant left the job on its own (its organisation's output policy); it gets no more tasks. */
  withdraw(orgId: string, reason: string): boolean {
    const participant = this.get(orgId);
    if (participant.state === 'dropped') return false;
    participant.state = 'dropped';
    participant.droppedReason = reason;
    participant.withdrawn = true;
    return true;
  }

  send(orgId: string, task: Task): void {
    this.mailbox(orgId).put(task);
  }

  /** Tells every participant the job is over; resolves when all picked it up or after `waitMs`. */
  async finishAll(outcome: string, waitMs: number): Promise<void> {
    for (const mailbox of this.mailboxes.values()) mailbox.replaceAll({ header: { kind: 'TASK_KIND_FINISHED', jobOutcome: outcome } });
    const until = Date.now() + waitMs;
    while (Date.now() < until && [...this.mailboxes.values()].some((m) => m.pending > 0)) await new Promise((r) => setTimeout(r, 50));
  }
}
