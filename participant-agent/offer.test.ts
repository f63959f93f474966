import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { signOffer, type SignedOffer } from '../common/offer-protocol';
import { identityFromSeed } from '../common/secagg';
import { publicKeyText } from '../common/signing';
import { compileAgentConfig, type AgentConfig } from './agent-config';
import { screenOffer } from './offer';

const example = parse(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
const regulator = identityFromSeed('regulator', new Uint8Array(32).fill(7));
const impostor = identityFromSeed('regulator', new Uint8Array(32).fill(9));
const NOW = Date.parse('2026-11-21T10:00:00Z');
let dir: string;
let csv: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'offer-'));
  csv = join(dir, 'bank-1.csv');
  const columns = [...Array.from({ length: 23 }, (_, i) => `X${i + 1}`), 'Y'];
  writeFileSync(csv, `${columns.join(',')}\n${columns.map(() => '1').join(',')}\n`);
  writeFileSync(join(dir, 'policy.yaml'), stringify({ requesters: { regulator: { publicKey: publicKeyText(regulator.publicKey), approval: 'auto', datasets: {} } } }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function agentConfig(sandbox: Record<string, unknown> = {}): AgentConfig {
  return compileAgentConfig({ orgId: 'bank-1', policy: 'policy.yaml', datasets: { 'credit-default': { path: csv } }, workDir: join(dir, 'work'), tls: { ca: 'ca.pem', cert: 'bank-1.pem', key: 'bank-1.key.pem' }, sandbox }, dir);
}

function offer(spec: Record<string, unknown> = {}, times: { issuedAt?: number; expiresAt?: number } = {}, key = regulator): SignedOffer {
  return signOffer({
    spec: { ...example, ...spec },
    coordinator: '127.0.0.1:1',
    aggregator: '127.0.0.1:2',
    issuedAt: new Date(times.issuedAt ?? NOW - 1000).toISOString(),
    expiresAt: new Date(times.expiresAt ?? NOW + 60_000).toISOString(),
  }, key);
}

describe('screening signed offers', () => {
  it('passes an offer signed by the pinned key, addressed here, for data that exists', () => {
    const screened = screenOffer(agentConfig(), offer(), NOW);
    expect(screened.ok).toBe(true);
    if (screened.ok) expect(screened.offer.signer).toBe(publicKeyText(regulator.publicKey));
  });

  it('refuses an unsigned offer', () => {
    const screened = screenOffer(agentConfig(), { spec: example, coordinator: 'x', aggregator: 'y', expiresAt: new Date(NOW + 1000).toISOString() }, NOW);
    expect(screened).toMatchObject({ ok: false, code: 'OFFER_UNSIGNED' });
  });

  it('refuses an offer altered after signing', () => {
    const signed = offer();
    const altered = { ...signed, payload: signed.payload.replace('"rounds":20', '"rounds":2000') };
    expect(altered.payload).not.toBe(signed.payload);
    expect(screenOffer(agentConfig(), altered, NOW)).toMatchObject({ ok: false, code: 'OFFER_SIGNATURE_INVALID', jobId: example.jobId });
  });

  it('refuses a forged offer: signed by another key that claims to be the regulator', () => {
    const screened = screenOffer(agentConfig(), offer({}, {}, impostor), NOW);
    expect(screened).toMatchObject({ ok: false, code: 'OFFER_SIGNER_NOT_PINNED' });
    if (!screened.ok) expect(screened.reason).toContain('not by the key the policy pins');
  });

  it('refuses an offer whose signer field was swapped to the pinned key', () => {
    const forged = { ...offer({}, {}, impostor), signer: publicKeyText(regulator.publicKey) };
    expect(screenOffer(agentConfig(), forged, NOW)).toMatchObject({ ok: false, code: 'OFFER_SIGNATURE_INVALID' });
  });

  it('refuses an expired offer and one issued in the future', () => {
    expect(screenOffer(agentConfig(), offer({}, { expiresAt: NOW - 1 }), NOW)).toMatchObject({ ok: false, code: 'OFFER_EXPIRED' });
    expect(screenOffer(agentConfig(), offer({}, { issuedAt: NOW + 3_600_000, expiresAt: NOW + 7_200_000 }), NOW)).toMatchObject({ ok: false, code: 'OFFER_NOT_YET_VALID' });
  });

  it('refuses a requester the policy does not name, and an organisation not invited', () => {
    const other = screenOffer(agentConfig(), offer({ requester: 'central-bank' }), NOW);
    expect(other).toMatchObject({ ok: false, code: 'OFFER_SIGNER_NOT_PINNED' });
    if (!other.ok) expect(other.reason).toContain('"central-bank" has no pinned key');
    expect(screenOffer(agentConfig(), offer({ invitedOrgs: ['bank-2', 'bank-3'], minParticipants: 2 }), NOW)).toMatchObject({ ok: false, code: 'NOT_INVITED' });
  });

  it('refuses a dataset that is not here or lacks a column', () => {
    const dataset = example.dataset as Record<string, unknown>;
    expect(screenOffer(agentConfig(), offer({ dataset: { ...dataset, name: 'mortgages' } }), NOW)).toMatchObject({ ok: false, code: 'DATASET_MISSING' });
    const missing = screenOffer(agentConfig(), offer({ dataset: { ...dataset, features: ['X1', 'INCOME'] } }), NOW);
    expect(missing).toMatchObject({ ok: false, code: 'DATASET_MISSING' });
    if (!missing.ok) expect(missing.reason).toContain('INCOME');
  });

  it('refuses a custom training image when this organisation trains in the process sandbox', () => {
    const image = { reference: 'regulator/trainer:1', digest: `sha256:${'ab'.repeat(32)}` };
    expect(screenOffer(agentConfig({ type: 'process', allowProcessSandbox: true }), offer({ trainingImage: image }), NOW)).toMatchObject({ ok: false, code: 'IMAGE_NOT_ALLOWED' });
  });
});
