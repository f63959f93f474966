/**
 * No silent loss of isolation: an agent whose config says nothing about the
 * process sandbox refuses to train without Docker. With no engine to talk
 * to (DOCKER_HOST points nowhere) the agent does not start: it exits with
 * the config exit code and says the process sandbox is not allowed. With an
 * engine but no trainer image, the sandbox it would train in is refused
 * with SANDBOX_UNAVAILABLE. A config that allows the process sandbox gets
 * it, and the agent audits the weakening (sandbox.weakened).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { EXIT_CODES } from '../common/process-lifecycle';
import { silentLogger } from '../common/logger';
import { compileAgentConfig } from '../participant-agent/agent-config';
import { createSandbox } from '../participant-agent/sandbox/create-sandbox';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { dockerOrSkip } from './support/docker-engine';
import { logLines } from './support/log-lines';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt, compiled } from './support/repo-paths';
import { CHILD_ENV } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { createTestPki, type TestPki } from './support/test-pki';

const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/shoal-test-docker.sock' };
const MISSING_IMAGE = 'shoal-test-missing:never-built';

describe('an agent with the default sandbox settings and no Docker sandbox', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let pki: TestPki;
  let nats: NatsServer;
  let datasetPath: string;
  let regulatorKey: string;

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('sandbox-default');
    pki = await createTestPki(dir, ['bank-1', 'bank-2']);
    nats = await startNatsServer(pki);
    datasetPath = writeBankData(dir, { orgIds: ['bank-1'], rowsPerBank: 20, heldOutRows: 0, seed: 'sandbox-default' }).banks[0].path;
    regulatorKey = writeRegulatorKey(dir).publicKey;
  }, 120_000);

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    if (dir) removeTempDir(dir);
  });

  async function agentConfig(orgId: string, sandbox: Record<string, unknown>): Promise<string> {
    return writeAgentConfig(dir, { orgId, natsUrl: nats.url, datasets: { 'credit-default': datasetPath }, policy: creditDefaultPolicy({ regulatorKey }), tls: await pki.participant(orgId), sandbox });
  }

  test('refuses to start when no engine answers: exit code 2, "no sandbox to train in", the process sandbox not allowed', async () => {
    // type auto, allowProcessSandbox left to its default.
    const config = await agentConfig('bank-1', { type: 'auto' });

    const agent = processes.spawnNode('agent bank-1', compiled.participantAgent, ['--config', config], { env: { ...CHILD_ENV, ...NO_ENGINE } });
    const status = await agent.waitForExit(30_000);

    expect(status).toEqual({ code: EXIT_CODES.config, signal: null });
    const [line] = logLines(agent.stderr).filter((l) => l.msg === 'no sandbox to train in');
    expect(line).toMatchObject({ level: 50, org: 'bank-1' });
    expect(String(line.err)).toMatch(/^the Docker sandbox is not available: no Docker engine answers at DOCKER_HOST=unix:\/\/\/nonexistent\/shoal-test-docker\.sock .*\(the process sandbox is not allowed: sandbox\.allowProcessSandbox is false, the default\)$/);
    expect(agent.stdout).not.toContain('"event":"ready"');
  });

  test('with allowProcessSandbox: true it starts in the process sandbox, warns, and audits sandbox.weakened with the reason', async () => {
    const config = await agentConfig('bank-2', { type: 'auto', allowProcessSandbox: true });

    const agent = processes.spawnNode('agent bank-2', compiled.participantAgent, ['--config', config], { env: { ...CHILD_ENV, ...NO_ENGINE } });
    await agent.waitForOutput('stdout', /"event":"ready".*"orgId":"bank-2"/, 30_000);
    await agent.stop();

    const warning = logLines(agent.stderr).find((l) => String(l.msg).startsWith('Docker sandbox unavailable; falling back to the process sandbox'));
    expect(warning).toMatchObject({ level: 40, org: 'bank-2' });
    const audit = readFileSync(join(dir, 'agents', 'bank-2', 'work', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    const weakened = audit.filter((e) => e.type === 'sandbox.weakened');
    expect(weakened).toHaveLength(1);
    expect(weakened[0].data.sandbox).toBe('process');
    expect(String(weakened[0].data.reason)).toMatch(/^the Docker sandbox is not available \(no Docker engine answers at DOCKER_HOST=unix:\/\/\/nonexistent\/shoal-test-docker\.sock .*\) and the agent config allows the process sandbox; the trainer runs in /);
    expect(warning?.reason).toBe(weakened[0].data.reason);
  });

  const docker = dockerOrSkip('the default sandbox with an engine but no trainer image');
  (docker ? test : test.skip)('with an engine but without the trainer image, the default config gets SANDBOX_UNAVAILABLE', async () => {
    const config = compileAgentConfig({ orgId: 'bank-1', policy: join(dir, 'agents', 'bank-1', 'policy.yaml'), datasets: {}, tls: { ca: 'unused', cert: 'unused', key: 'unused' }, sandbox: { image: MISSING_IMAGE } }, dir);

    expect(config.sandbox.allowProcessSandbox).toBe(false);
    await expect(createSandbox(config, silentLogger())).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringMatching(new RegExp(`^the Docker sandbox is not available: the trainer image ${MISSING_IMAGE} is not in the local Docker engine .*\\(the process sandbox is not allowed: sandbox\\.allowProcessSandbox is false, the default\\)$`)),
    });
  });
});
