/**
 * The offer protocol between the regulator, the agents and a job's
 * coordinator, as it travels over the bus: offers signed by the regulator,
 * decisions and audit-chain heads signed by each organisation. Everything
 * signed is a SignedPayload (canonical JSON kept as the exact bytes signed),
 * and this module is the one place that builds and opens them.
 */
import type { IdentityKeyPair } from './secagg';
import { openSignedPayload, SignatureError, signPayload, type SignedPayload } from './signing';

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
}

/** The immediate reply to an offer request; the signed decision follows on the job's decisions subject. */
export interface OfferReceipt {
  orgId: string;
  jobId: string;
  status: 'accepted' | 'declined' | 'pending';
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
  return signPayload({ kind: 'shoal.offer/v1', ...body } satisfies OfferBody, key);
}

export function signDecision(body: Omit<DecisionBody, 'kind'>, key: IdentityKeyPair): SignedDecision {
  return signPayload({ kind: 'shoal.decision/v1', ...body } satisfies DecisionBody, key);
}

export function signAuditHead(body: Omit<AuditHeadBody, 'kind'>, key: IdentityKeyPair): SignedAuditHead {
  return signPayload({ kind: 'shoal.audit-head/v1', ...body } satisfies AuditHeadBody, key);
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

export function openDecision(message: unknown): { body: DecisionBody; signer: string } {
  return opened<DecisionBody>(message, 'shoal.decision/v1');
}

export function openAuditHead(message: unknown, trusted?: readonly string[]): { body: AuditHeadBody; signer: string } {
  return opened<AuditHeadBody>(message, 'shoal.audit-head/v1', trusted);
}
