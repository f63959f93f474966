import {
  offerHash,
  openAuditHead,
  openDecision,
  openOffer,
  signAuditHead,
  signDecision,
  signOffer,
  type AuditHeadBody,
  type DecisionBody,
  type OfferBody,
} from './offer-protocol';
import { identityFromSeed } from './secagg';
import { publicKeyText, sha256Hex, signPayload } from './signing';
import { thrownShoalError } from './testing/thrown-shoal-error';

const regulator = identityFromSeed('regulator', new Uint8Array(32).fill(9));
const bank1 = identityFromSeed('bank-1', new Uint8Array(32).fill(1));
const REGULATOR_KEY = publicKeyText(regulator.publicKey);
const BANK1_KEY = publicKeyText(bank1.publicKey);

const offer: Omit<OfferBody, 'kind'> = {
  spec: { apiVersion: 'shoal/v1', jobId: 'credit-default-mlp', invitedOrgs: ['bank-1', 'bank-2'] },
  coordinator: '10.0.0.5:50051',
  aggregator: '10.0.0.6:50052',
  issuedAt: '2026-03-01T10:00:00.000Z',
  expiresAt: '2026-03-01T10:05:00.000Z',
};

const decision: Omit<DecisionBody, 'kind'> = {
  jobId: 'credit-default-mlp',
  orgId: 'bank-1',
  accepted: false,
  decidedBy: 'person',
  decider: 'Ada Lovelace',
  reason: 'the model could memorise account numbers',
  at: '2026-03-01T10:01:30.000Z',
  auditHead: { seq: 12, hash: 'c'.repeat(64) },
  offerSha256: offerHash(signOffer(offer, regulator)),
};

const auditHead: Omit<AuditHeadBody, 'kind'> = {
  jobId: 'credit-default-mlp',
  orgId: 'bank-1',
  seq: 40,
  hash: 'd'.repeat(64),
  at: '2026-03-01T11:00:00.000Z',
};

describe('offers', () => {
  it('round-trips a signed offer with its kind and the regulator as signer', () => {
    const signed = signOffer(offer, regulator);

    const opened = openOffer(signed);

    expect(JSON.parse(signed.payload)).toEqual({ kind: 'shoal.offer/v1', ...offer });
    expect(opened).toEqual({ body: { kind: 'shoal.offer/v1', ...offer }, signer: REGULATOR_KEY });
  });

  it('names a signed offer by the SHA-256 of its exact signed bytes', () => {
    const signed = signOffer(offer, regulator);
    const other = signOffer({ ...offer, expiresAt: '2026-03-01T10:06:00.000Z' }, regulator);

    const hash = offerHash(signed);

    expect(hash).toBe(sha256Hex(signed.payload));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(offerHash(other)).not.toBe(hash);
  });

  it('refuses an offer altered after signing', () => {
    const signed = signOffer(offer, regulator);
    const altered = { ...signed, payload: signed.payload.replace('10.0.0.5:50051', '10.6.6.6:50051') };
    expect(altered.payload).not.toBe(signed.payload);

    const error = thrownShoalError(() => openOffer(altered), 'SIGNATURE_INVALID');

    expect(error.message).toBe('the signature does not match the payload: it was altered or signed by another key');
  });

  it('refuses a decision opened as an offer', () => {
    const signed = signDecision(decision, bank1);

    const error = thrownShoalError(() => openOffer(signed), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed payload is not a shoal.offer/v1');
  });

  it.each(['expiresAt', 'issuedAt', 'coordinator', 'aggregator'] as const)('refuses a signed offer without %s', (field) => {
    const body: Record<string, unknown> = { kind: 'shoal.offer/v1', ...offer };
    delete body[field];
    const signed = signPayload(body, regulator);

    const error = thrownShoalError(() => openOffer(signed), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed offer lacks its coordinator, aggregator, issuedAt or expiresAt');
  });

  it('refuses a signed offer whose expiresAt is a number', () => {
    const signed = signPayload({ kind: 'shoal.offer/v1', ...offer, expiresAt: 1772359500000 }, regulator);

    const error = thrownShoalError(() => openOffer(signed), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed offer lacks its coordinator, aggregator, issuedAt or expiresAt');
  });

  it.each([
    ['null', null],
    ['an array', [{ kind: 'shoal.offer/v1' }]],
    ['a string', 'shoal.offer/v1'],
    ['an object without a kind', { ...offer }],
  ])('refuses a signed payload holding %s as an offer', (_name, value) => {
    const signed = signPayload(value, regulator);

    const error = thrownShoalError(() => openOffer(signed), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed payload is not a shoal.offer/v1');
  });
});

describe('decisions', () => {
  it('round-trips a signed decision with the organisation as signer', () => {
    const signed = signDecision(decision, bank1);

    const opened = openDecision(signed);

    expect(opened).toEqual({ body: { kind: 'shoal.decision/v1', ...decision }, signer: BANK1_KEY });
  });

  it('refuses an offer opened as a decision', () => {
    const signed = signOffer(offer, regulator);

    const error = thrownShoalError(() => openDecision(signed), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed payload is not a shoal.decision/v1');
  });

  it('refuses a signed decision whose job or organisation id is not an identifier', () => {
    for (const changes of [{ jobId: 'credit.default' }, { orgId: '../bank-1' }]) {
      const error = thrownShoalError(() => openDecision(signDecision({ ...decision, ...changes }, bank1)), 'INVALID_IDENTIFIER');
      expect(error.message).toMatch(/^"(credit\.default|\.\.\/bank-1)" is not a valid (job|organisation) id: /);
    }
  });

  it('refuses an unsigned decision body', () => {
    const error = thrownShoalError(() => openDecision({ kind: 'shoal.decision/v1', ...decision }), 'UNSIGNED');

    expect(error.message).toBe('the message is not signed (expected payload, signature and signer)');
  });
});

describe('audit heads', () => {
  it('refuses a signed audit head whose job id is not an identifier', () => {
    const error = thrownShoalError(() => openAuditHead(signAuditHead({ ...auditHead, jobId: 'job.>' }, bank1), [BANK1_KEY]), 'INVALID_IDENTIFIER');
    expect(error.message).toMatch(/^"job\.>" is not a valid job id: /);
  });

  it('round-trips a signed audit head from a pinned key', () => {
    const signed = signAuditHead(auditHead, bank1);

    const opened = openAuditHead(signed, [BANK1_KEY]);

    expect(opened).toEqual({ body: { kind: 'shoal.audit-head/v1', ...auditHead }, signer: BANK1_KEY });
  });

  it('refuses an audit head from a key that is not pinned', () => {
    const signed = signAuditHead(auditHead, bank1);

    const error = thrownShoalError(() => openAuditHead(signed, [REGULATOR_KEY]), 'SIGNER_NOT_TRUSTED');

    expect(error.message).toBe(`the signer ${BANK1_KEY} is not a pinned key`);
  });

  it('refuses a decision opened as an audit head', () => {
    const signed = signDecision(decision, bank1);

    const error = thrownShoalError(() => openAuditHead(signed, [BANK1_KEY]), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed payload is not a shoal.audit-head/v1');
  });
});
