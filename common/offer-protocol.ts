/**
 * The offer protocol between the regulator, the agents and a job's
 * coordinator, as it travels over the bus: offers signed by the regulator,
 * decisions and audit-chain heads signed by each organisation. Everything
 * signed is a SignedPayload (canonical JSON kept as the exact bytes signed),
 * and this module is the one place that builds and opens them.
 */
import { checkIdentifier } from './ids';
import type { IdentityKeyPair } from './secagg';
import { openSignedPayload, sha256Hex, SignatureError, signPayload, type SignedPayload } from './signing';

/** What the regulator signs: the job spec as written and where the job's servers are. */
export interface OfferBody {
  kind: 'shoal.offer/v1';
  /** The job spec as the regulator wrote it; each agent validates it again. */
  spec: unknown;
  coordinator: string;
  aggregator: string;
  issuedAt: string;
  /** After this instant the offer no longer stands, and an undecided offer is declined. */
  expiresAt: string;
}

/** An organisation's answer, signed with its identity key. */
export interface DecisionBody {
  kind: 'shoal.decision/v1';
  jobId: string;
  orgId: string;
  accepted: boolean;
  /** Who decided: the organisation's policy, or one of its people. */
  decidedBy: 'policy' | 'person';
  /** The rule that decided (policy), or the person's name when the organisation shares it. */
  decider: string | null;
  /** Why, only if the organisation shares its reasons; '' otherwise. */
  reason: string;
  at: string;
  /** The organisation's audit chain at the moment it decided. */
  auditHead: { seq: number; hash: string };
  /** SHA-256 of the signed offer this decision answers, so a decision on some other (e.g. forged) offer is told apart. */
  offerSha256: string;
}

/**
 * The quick reply to an offer request: received (being moderated), pending
 * (waiting for a person), or already decided; the signed decision follows on
 * the job's decisions subject.
 */
export interface OfferReceipt {
  orgId: string;
  jobId: string;
  status: 'received' | 'pending' | 'accepted' | 'declined';
  /** Why an offer was refused before moderation (its signature, say); only if the organisation shares reasons. Unsigned: for the sender only. */
  refusal?: string;
}

/** The hash that names one signed offer (of its exact signed bytes). */
export function offerHash(offer: SignedOffer): string {
  return sha256Hex(offer.payload);
}

/** An organisation's audit-chain head, signed, so the coordinator's report can pin it. */
export interface AuditHeadBody {
  kind: 'shoal.audit-head/v1';
  jobId: string;
  orgId: string;
  seq: number;
  hash: string;
  at: string;
}

export type SignedOffer = SignedPayload;
export type SignedDecision = SignedPayload;
export type SignedAuditHead = SignedPayload;

export function signOffer(body: Omit<OfferBody, 'kind'>, key: IdentityKeyPair): SignedOffer {
  return signPayload({ ...body, kind: 'shoal.offer/v1' } satisfies OfferBody, key);
}

export function signDecision(body: Omit<DecisionBody, 'kind'>, key: IdentityKeyPair): SignedDecision {
  return signPayload({ ...body, kind: 'shoal.decision/v1' } satisfies DecisionBody, key);
}

export function signAuditHead(body: Omit<AuditHeadBody, 'kind'>, key: IdentityKeyPair): SignedAuditHead {
  return signPayload({ ...body, kind: 'shoal.audit-head/v1' } satisfies AuditHeadBody, key);
}

function opened<T extends { kind: string }>(message: unknown, kind: T['kind'], trusted?: readonly string[]): { body: T; signer: string } {
  const { value, signer } = openSignedPayload<T>(message, trusted);
  if (!value || typeof value !== 'object' || value.kind !== kind) throw new SignatureError('PAYLOAD_MALFORMED', `the signed payload is not a ${kind}`);
  return { body: value, signer };
}

/** An offer whose signature holds; who may sign for its requester is the agent's policy's business. */
export function openOffer(message: unknown): { body: OfferBody; signer: string } {
  const result = opened<OfferBody>(message, 'shoal.offer/v1');
  const { body } = result;
  if (typeof body.coordinator !== 'string' || typeof body.aggregator !== 'string' || typeof body.expiresAt !== 'string' || typeof body.issuedAt !== 'string') {
    throw new SignatureError('PAYLOAD_MALFORMED', 'the signed offer lacks its coordinator, aggregator, issuedAt or expiresAt');
  }
  return result;
}

const isHead = (head: unknown): head is { seq: number; hash: string } =>
  typeof head === 'object' && head !== null && Number.isSafeInteger((head as { seq?: unknown }).seq) && typeof (head as { hash?: unknown }).hash === 'string';

/** A signed decision with every field of the right type: "accepted": "no" must not read as yes. */
export function openDecision(message: unknown): { body: DecisionBody; signer: string } {
  const result = opened<DecisionBody>(message, 'shoal.decision/v1');
  const b = result.body;
  const wellFormed = typeof b.jobId === 'string' && typeof b.orgId === 'string' && typeof b.accepted === 'boolean' && (b.decidedBy === 'policy' || b.decidedBy === 'person')
    && (b.decider === null || typeof b.decider === 'string') && typeof b.reason === 'string' && typeof b.at === 'string' && typeof b.offerSha256 === 'string' && isHead(b.auditHead);
  if (!wellFormed) throw new SignatureError('PAYLOAD_MALFORMED', 'the signed decision lacks jobId, orgId, accepted, decidedBy, decider, reason, at, offerSha256 or auditHead {seq, hash}, or one has the wrong type');
  // They go into the job's report and name the organisation's record there.
  checkIdentifier('job', b.jobId);
  checkIdentifier('organisation', b.orgId);
  return result;
}

export function openAuditHead(message: unknown, trusted?: readonly string[]): { body: AuditHeadBody; signer: string } {
  const result = opened<AuditHeadBody>(message, 'shoal.audit-head/v1', trusted);
  const b = result.body;
  if (typeof b.jobId !== 'string' || typeof b.orgId !== 'string' || typeof b.at !== 'string' || !isHead(b)) {
    throw new SignatureError('PAYLOAD_MALFORMED', 'the signed audit head lacks jobId, orgId, seq, hash or at, or one has the wrong type');
  }
  checkIdentifier('job', b.jobId);
  checkIdentifier('organisation', b.orgId);
  return result;
}
