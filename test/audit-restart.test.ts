/**
 * The audit trail cannot silently restart: a real agent process, started as
 * an operator would (real nats-server, mutual TLS), refuses to start on a
 * missing, emptied or cut log once it has kept one, with exit code 5 and a
 * message naming the file and what it expected. A fresh agent still starts
 * its log.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeRegulatorKey, type RegulatorKey } from './support/regulator-key';
import { createTestPki, type TestPki } from './support/test-pki';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { assertBuilt, compiled } from './support/repo-paths';
import { CHILD_ENV, startAgent } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';

const ORG = 'bank-1';

describe('an agent on a missing, emptied or cut audit log', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let regulator: RegulatorKey;
  let pki: TestPki;
  let configPath: string;
  let workDir: string;
  let auditLog: string;
  let headFile: string;

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('audit-restart');
    regulator = writeRegulatorKey(dir);
    pki = await createTestPki(dir, [ORG]);
    nats = await startNatsServer(pki);
    const datasetPath = join(dir, 'bank-1.csv');
    writeFileSync(datasetPath, 'X1,Y\n1,0\n');
    configPath = writeAgentConfig(dir, {
      orgId: ORG,
      natsUrl: nats.url,
      datasets: { 'credit-default': datasetPath },
      policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey }),
      tls: await pki.participant(ORG),
      sandbox: { type: 'process' },
    });
    workDir = join(dir, 'agents', ORG, 'work');
    auditLog = join(workDir, 'audit.jsonl');
    headFile = join(workDir, 'audit-head.json');
  });

  afterEach(async () => {
    await processes.stopAll();
  });

  afterAll(async () => {
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  const entries = (): Array<{ seq: number; type: string; hash: string }> =>
    readFileSync(auditLog, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { seq: number; type: string; hash: string });

  /** Starts the agent and waits for it to end on its own. */
  async function refusedStart(): Promise<{ code: number | null; stderr: string }> {
    const agent = processes.spawnNode(`agent ${ORG}`, compiled.participantAgent, ['--config', configPath], { env: CHILD_ENV });
    const status = await agent.waitForExit(30_000);
    return { code: status.code, stderr: agent.stderr };
  }

  /** Starts the agent, lets it write agent.started, and stops it as an operator would. */
  async function cleanRun(): Promise<void> {
    const agent = await startAgent(processes, ORG, configPath, dir);
    await agent.stop();
  }

  test('a fresh agent starts its log and records the head beside its identity key; a restart goes on with the same chain', async () => {
    await cleanRun();
    const first = entries();
    // What one start writes after the genesis entry (agent.started, and what the sandbox says about itself).
    const start = first.slice(1).map((e) => e.type);
    expect(first.map((e) => e.type)).toEqual(['audit.opened', ...start]);
    expect(start).toContain('agent.started');
    expect(JSON.parse(readFileSync(headFile, 'utf8'))).toEqual({ log: auditLog, seq: first.length - 1, hash: first[first.length - 1].hash });
    expect(existsSync(join(workDir, 'identity-ed25519.pem'))).toBe(true);

    await cleanRun();
    const second = entries();
    expect(second.map((e) => e.type)).toEqual(['audit.opened', ...start, ...start]);
    expect(JSON.parse(readFileSync(headFile, 'utf8'))).toEqual({ log: auditLog, seq: second.length - 1, hash: second[second.length - 1].hash });
  });

  /** The last entry's number, as the head file records it. */
  const lastSeq = (): number => entries().length - 1;

  test('a log cut short by one line: exit 5, a message naming the file and the entry it had reached, nothing appended', async () => {
    const kept = readFileSync(auditLog, 'utf8');
    const last = lastSeq();
    const cut = `${kept.split('\n').filter((l) => l !== '').slice(0, -1).join('\n')}\n`;
    writeFileSync(auditLog, cut);

    const result = await refusedStart();

    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`shoal-agent: the audit log ${auditLog} ends at entry ${last - 1}, but it had reached entry ${last} (hash `);
    expect(result.stderr).toContain(`as recorded in ${headFile}: entries were removed from its end; restore it from a backup`);
    expect(readFileSync(auditLog, 'utf8')).toBe(cut);
    writeFileSync(auditLog, kept);
  });

  test('an emptied log: exit 5, a message naming the recorded head, and the log stays empty', async () => {
    const kept = readFileSync(auditLog, 'utf8');
    const last = lastSeq();
    writeFileSync(auditLog, '');

    const result = await refusedStart();

    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`shoal-agent: the audit log ${auditLog} is empty, but ${headFile} records that it had reached entry ${last} (hash `);
    expect(result.stderr).toContain('refusing to start a new trail over it: restore the log from a backup');
    expect(readFileSync(auditLog, 'utf8')).toBe('');
    writeFileSync(auditLog, kept);
  });

  test('a missing log: exit 5, and with the head record gone too the identity key still says the log existed', async () => {
    const kept = readFileSync(auditLog, 'utf8');
    const last = lastSeq();
    rmSync(auditLog);

    const missing = await refusedStart();
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain(`shoal-agent: the audit log ${auditLog} is missing, but ${headFile} records that it had reached entry ${last} (hash `);
    expect(existsSync(auditLog)).toBe(false);

    const recordedHead = readFileSync(headFile, 'utf8');
    rmSync(headFile);
    const bothGone = await refusedStart();
    expect(bothGone.code).toBe(5);
    expect(bothGone.stderr).toContain(`shoal-agent: the audit log ${auditLog} is missing, but this agent has kept it before (its identity key exists); refusing to start a new trail over it: restore the log from a backup`);
    expect(existsSync(auditLog)).toBe(false);

    // Restored from the backup, the agent starts and goes on with the same chain.
    writeFileSync(auditLog, kept);
    writeFileSync(headFile, recordedHead);
    await cleanRun();
    const restored = entries();
    expect(restored.slice(0, last + 1).map((e) => e.hash)).toEqual(kept.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { hash: string }).hash));
    expect(restored.map((e) => e.seq)).toEqual(restored.map((_, i) => i));
    expect(restored.length).toBeGreaterThan(last + 1);
  });
});
