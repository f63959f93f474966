/**
 * Fixtures for the policy tests: the credit-default example offer, a policy
 * that allows exactly that offer, and a way to change one setting at a time,
 * so each test shows the one thing that makes a rule decide.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileJobSpec, type JobSpec } from '../../common/job-spec';
import { generateIdentity } from '../../common/secagg';
import { publicKeyText } from '../../common/signing';
import { compilePolicy, type ModerationPolicy } from './policy-schema';
import type { OfferContext } from './rule';

export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
export const REQUESTER_KEY = publicKeyText(generateIdentity('regulator').publicKey);
/** Parameters of the example's Dense 23→32→16→1 model. */
export const EXAMPLE_PARAMETERS = 23 * 32 + 32 + 32 * 16 + 16 + 16 + 1;
/** Monday 15 January 2024, 10:00 UTC. */
export const MONDAY_10_UTC = new Date('2024-01-15T10:00:00Z');

type Document = Record<string, unknown>;

const isObject = (value: unknown): value is Document => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects merge key by key; anything else in `patch` replaces; an undefined value removes the key. */
export function merged(base: Document, patch: Document): Document {
  const out: Document = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = isObject(value) && isObject(out[key]) ? merged(out[key] as Document, value) : value;
  }
  return out;
}

export function exampleSpecDocument(): Document {
  return parse(readFileSync(join(__dirname, '..', '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Document;
}

export function jobSpec(patch: Document = {}): JobSpec {
  return compileJobSpec(merged(exampleSpecDocument(), patch));
}

/** A policy under which the example offer passes every rule. */
export function permissivePolicyDocument(): Document {
  return {
    requesters: { regulator: { publicKey: REQUESTER_KEY, approval: 'auto', datasets: { 'credit-default': { columns: ['X1..X23', 'Y'] } } } },
    models: { allowedLayers: ['Dense'], maxParameters: 10000, maxRounds: 50, maxLocalEpochs: 5 },
    images: { allowedDigests: [DIGEST] },
    privacy: { requireSecureAggregation: true, minParticipantsPerRound: 3 },
  };
}

export function policy(patch: Document = {}): ModerationPolicy {
  return compilePolicy(merged(permissivePolicyDocument(), patch));
}

export function offerContext(overrides: Partial<OfferContext> = {}): OfferContext {
  return {
    spec: jobSpec(),
    orgId: 'bank-1',
    now: MONDAY_10_UTC,
    localDatasets: ['credit-default'],
    modelParameters: EXAMPLE_PARAMETERS,
    epsilonSpent: () => 0,
    ...overrides,
  };
}
