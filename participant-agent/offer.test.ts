import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compileAgentConfig } from './agent-config';
import { evaluateOffer, type JobOffer } from './offer';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const example = parse(readFileSync(join(__dirname, '..', 'examples', 'credit-default', 'job.yaml'), 'utf8')) as Record<string, unknown>;
let dir: string;
let csv: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'offer-'));
  csv = join(dir, 'bank-1.csv');
  const columns = [...Array.from({ length: 23 }, (_, i) => `X${i + 1}`), 'Y'];
  writeFileSync(csv, `${columns.join(',')}\n${columns.map(() => '1').join(',')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function agentConfig(sandbox: Record<string, unknown> = {}): ReturnType<typeof compileAgentConfig> {
  return compileAgentConfig({ orgId: 'bank-1', acceptedRequesters: ['regulator'], datasets: { 'credit-default': { path: csv } }, sandbox }, dir);
}

function offer(spec: Record<string, unknown> = {}): JobOffer {
  return { spec: { ...example, ...spec }, coordinator: '127.0.0.1:1', aggregator: '127.0.0.1:2', expiresAt: new Date(Date.now() + 60_000).toISOString() };
}

describe('offers that bring their own training image', () => {
  test('are declined unless the organisation allowlists the image digest, with a reason that names it', () => {
    const decision = evaluateOffer(agentConfig(), offer({ trainingImage: { reference: 'regulator/trainer:1', digest: DIGEST } }));

    expect(decision).toEqual({ accepted: false, jobId: 'credit-default-mlp', reason: `IMAGE_NOT_ALLOWED: the job's training image regulator/trainer:1 (${DIGEST}) is not on this organisation's allowlist (sandbox.allowedImageDigests)` });
  });

  test('are accepted when the digest is allowlisted and training runs in Docker', () => {
    const decision = evaluateOffer(agentConfig({ allowedImageDigests: [DIGEST] }), offer({ trainingImage: { reference: 'regulator/trainer:1', digest: DIGEST } }));

    expect(decision.accepted).toBe(true);
  });

  test('are declined by an organisation that trains in the process sandbox, even if allowlisted', () => {
    const decision = evaluateOffer(agentConfig({ type: 'process', allowedImageDigests: [DIGEST] }), offer({ trainingImage: { reference: 'regulator/trainer:1', digest: DIGEST } }));

    expect(decision.accepted).toBe(false);
    expect(decision.accepted ? '' : decision.reason).toContain('runs only in the Docker sandbox');
  });

  test('an offer without a training image is unaffected by the allowlist', () => {
    expect(evaluateOffer(agentConfig(), offer()).accepted).toBe(true);
  });
});

describe('the agent config sandbox section', () => {
  test('defaults to Docker when available, allowing the process sandbox as a fallback', () => {
    expect(agentConfig().sandbox).toEqual({ type: 'auto', allowProcessSandbox: true, image: 'shoal-trainer:dev', allowedImageDigests: [], limits: { memoryMiB: 2048, cpus: 1, pids: 256, outputMiB: 256 } });
  });

  test('refuses the process sandbox when the organisation forbids it, naming the field', () => {
    expect(() => agentConfig({ type: 'process', allowProcessSandbox: false })).toThrow(/sandbox\.type/);
  });

  test('refuses a malformed image digest', () => {
    expect(() => agentConfig({ allowedImageDigests: ['latest'] })).toThrow(/sandbox\.allowedImageDigests/);
  });
});
