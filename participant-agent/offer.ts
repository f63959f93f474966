/**
 * The checks every offer passes before the organisation's policy sees it:
 * signed by the key the policy pins for its requester, unaltered, not
 * expired, addressed to this organisation, and feasible here (the dataset
 * exists with the columns the job names). A failure here is refused outright.
 * Only an authentic offer (signed by the pinned key) is answered with a signed
 * decline; anything else is logged and audited but never signed for, so a
 * forged offer cannot make this organisation decline a real job.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import { errorMessage } from '../common/errors';
import { offerHash, openOffer, type OfferBody, type SignedOffer } from '../common/offer-protocol';
import type { AgentConfig } from './agent-config';
import { isIdentifier } from '../common/ids';

/** Clocks drift: an offer issued this far in the future is still believed. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface ScreenedOffer {
  spec: JobSpec;
  body: OfferBody;
  /** The requester's key that signed the offer. */
  signer: string;
  /** Hash of the exact signed bytes: names this offer in the audit log. */
  offerSha256: string;
  dataPath: string;
}

export type OfferRefusalCode = 'OFFER_UNSIGNED' | 'OFFER_SIGNATURE_INVALID' | 'OFFER_SIGNER_NOT_PINNED' | 'OFFER_EXPIRED' | 'OFFER_NOT_YET_VALID' | 'OFFER_INVALID' | 'NOT_INVITED' | 'IMAGE_NOT_ALLOWED' | 'DATASET_MISSING';

export type Screened =
  | { ok: true; offer: ScreenedOffer }
  /** `authentic`: signed by the requester's pinned key, so the refusal may be answered with a signed decline. */
  | { ok: false; jobId: string; code: OfferRefusalCode; reason: string; authentic: false }
  | { ok: false; jobId: string; code: OfferRefusalCode; reason: string; authentic: true; offerSha256: string };

/** Reads just the header line, so checking columns does not load the data. */
function csvHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytes).toString('utf8');
    const end = text.indexOf('\n');
    return (end >= 0 ? text.slice(0, end) : text).split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  } finally {
    closeSync(fd);
  }
}

/** The job id an offer claims, before anything about it is trusted (for logs only). */
function claimedJobId(message: unknown): string {
  try {
    const id = (JSON.parse((message as { payload: string }).payload) as { spec?: { jobId?: unknown } }).spec?.jobId;
    // It may name the subject a signed decline goes to: only an identifier is taken.
    return isIdentifier(id) ? id : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function screenOffer(config: AgentConfig, message: unknown, now = Date.now()): Screened {
  let jobId = claimedJobId(message);
  let authentic = false;
  const refuse = (code: OfferRefusalCode, reason: string): Screened =>
    authentic ? { ok: false, jobId, code, reason, authentic, offerSha256: offerHash(message as SignedOffer) } : { ok: false, jobId, code, reason, authentic };
  let opened;
  try {
    opened = openOffer(message);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return refuse(code === 'UNSIGNED' ? 'OFFER_UNSIGNED' : code === 'PAYLOAD_MALFORMED' ? 'OFFER_INVALID' : 'OFFER_SIGNATURE_INVALID', `${code === 'UNSIGNED' ? 'the offer is not signed' : 'the offer\'s signature does not hold'}: ${errorMessage(err)}`);
  }
  const { body, signer } = opened;
  let spec: JobSpec;
  try {
    spec = compileJobSpec(body.spec);
  } catch (err) {
    return refuse('OFFER_INVALID', `the job spec is invalid: ${errorMessage(err)}`);
  }
  jobId = spec.jobId;
  const pinned = config.policy.requesters[spec.requester]?.publicKey;
  if (pinned !== signer) {
    return refuse('OFFER_SIGNER_NOT_PINNED', pinned ? `the offer from "${spec.requester}" is signed by ${signer}, not by the key the policy pins for it` : `requester "${spec.requester}" has no pinned key in this organisation's policy`);
  }
  authentic = true;
  const expires = Date.parse(body.expiresAt);
  if (!(expires > now)) return refuse('OFFER_EXPIRED', `the offer expired at ${body.expiresAt}`);
  if (!(Date.parse(body.issuedAt) <= now + CLOCK_SKEW_MS)) return refuse('OFFER_NOT_YET_VALID', `the offer claims to be issued at ${body.issuedAt}, in the future`);
  if (!spec.invitedOrgs.includes(config.orgId)) return refuse('NOT_INVITED', `${config.orgId} is not among the job's invited organisations`);
  if (spec.trainingImage && config.sandbox.type === 'process') {
    return refuse('IMAGE_NOT_ALLOWED', 'the job brings its own training image, which runs only in the Docker sandbox; this organisation trains in the process sandbox');
  }
  const dataset = config.datasets[spec.dataset.name];
  if (!dataset) return refuse('DATASET_MISSING', `dataset "${spec.dataset.name}" is not configured at this organisation`);
  let header: string[];
  try {
    header = csvHeader(dataset.path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return refuse('DATASET_MISSING', `dataset "${spec.dataset.name}" maps to ${dataset.path}, which ${missing ? 'does not exist' : `cannot be read (${errorMessage(err)})`}`);
  }
  const absent = [...spec.dataset.features, spec.dataset.label].filter((c) => !header.includes(c));
  if (absent.length > 0) return refuse('DATASET_MISSING', `dataset "${spec.dataset.name}" lacks the column(s) ${absent.slice(0, 10).join(', ')}`);
  return { ok: true, offer: { spec, body, signer, offerSha256: offerHash(message as SignedOffer), dataPath: dataset.path } };
}
