/**
 * Both web consoles end to end, in headless Chromium, against real
 * processes: nats-server, two participant agents (bank-1 serves its
 * organisation console and its policy asks a person), `shoal console serve`
 * for the regulator, and the job's own coordinator and aggregator started by
 * the `shoal job submit` the console runs. The regulator submits a job from
 * a spec file in the browser; bank-1's moderator approves it in theirs and
 * the job starts; the regulator's metric curve grows round by round without
 * a reload; bank-1's audit view finds its log intact, then flags the line
 * a test edits. Screenshots of both consoles go to test-output/screenshots.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AuditEntry } from '../common/audit';
import { parseReadyLine } from '../common/process-lifecycle';
import { addConsoleUser } from '../console';
import { creditDefaultPolicy, writeAgentConfig } from './support/agent-config';
import { writeBankData } from './support/bank-data';
import { chromiumOrSkip, launchChromium, openConsole, screenshot } from './support/browser';
import { readJobReport } from './support/job-report';
import { uniqueJobId, writeJobSpec } from './support/job-spec';
import { startNatsServer, type NatsServer } from './support/nats-server';
import { ProcessTracker } from './support/process-tracker';
import { writeRegulatorKey } from './support/regulator-key';
import { assertBuilt, compiled } from './support/repo-paths';
import { CHILD_ENV, startAgent, startShoal } from './support/shoal-processes';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { createTestPki, type TestPki } from './support/test-pki';

const chromiumPath = chromiumOrSkip('web console suite');
const describeBrowser = chromiumPath ? describe : describe.skip;

const BANKS = ['bank-1', 'bank-2'];
const ROUNDS = 4;
const MODERATOR = { user: 'alice', password: 'moderator-password-1' };
const REGULATOR = { user: 'rita', password: 'regulator-password-1' };
const JOB_TIMEOUT_MS = 180_000;

describeBrowser('the web consoles, in a browser, during a real job', () => {
  const processes = new ProcessTracker();
  let dir: string;
  let nats: NatsServer;
  let pki: TestPki;
  let regulatorKey: string;
  let browser: Browser;
  let regulatorPage: Page;
  let bankPage: Page;
  let jobId: string;
  let specPath: string;
  let outRoot: string;
  let auditLog: string;
  /** data-points of the regulator's metric chart, sampled while the job ran. */
  const curve: number[] = [];
  let sampling: Promise<void> | undefined;
  let jobEnded = false;

  beforeAll(async () => {
    assertBuilt();
    dir = makeTempDir('console');
    const data = writeBankData(dir, { orgIds: BANKS, rowsPerBank: 800, heldOutRows: 0, seed: 'console' });
    const regulator = writeRegulatorKey(dir);
    regulatorKey = regulator.publicKey;
    pki = await createTestPki(dir, BANKS);
    nats = await startNatsServer(pki);
    const bankUsers = join(dir, 'bank-1-console-users.yaml');
    addConsoleUser(bankUsers, MODERATOR.user, MODERATOR.password);
    const regulatorUsers = join(dir, 'regulator-console-users.yaml');
    addConsoleUser(regulatorUsers, REGULATOR.user, REGULATOR.password);

    const agents = await Promise.all(data.banks.map(async (bank) => {
      const config = writeAgentConfig(dir, {
        orgId: bank.orgId,
        natsUrl: nats.url,
        datasets: { 'credit-default': bank.path },
        policy: creditDefaultPolicy({ regulatorKey: regulator.publicKey, approval: bank.orgId === 'bank-1' ? 'ask' : 'auto' }),
        tls: await pki.participant(bank.orgId),
        ...(bank.orgId === 'bank-1' ? { console: { port: 0, users: bankUsers } } : {}),
      });
      return startAgent(processes, bank.orgId, config, dir);
    }));
    const ready = agents[0].stdout.split('\n').map(parseReadyLine).find((line) => line?.orgId === 'bank-1');
    const bankUrl = ready?.console;
    if (typeof bankUrl !== 'string') throw new Error(`bank-1's agent announced no console: ${agents[0].stdout}`);
    auditLog = join(dir, 'agents', 'bank-1', 'work', 'audit.jsonl');

    outRoot = join(dir, 'jobs');
    const consoleProcess = startShoal(processes, ['console', 'serve', '--out', outRoot, '--nats', nats.url, '--pki', pki.dir, '--key', regulator.keyPath, '--users', regulatorUsers, '--port', '0'], join(dir, 'regulator-console.log'));
    const line = await consoleProcess.waitForOutput('stdout', /regulator console: (\S+)/, 30_000);
    const regulatorUrl = /regulator console: (\S+)/.exec(line)?.[1] ?? consoleProcess.stdout.match(/regulator console: (\S+)/)?.[1];
    if (!regulatorUrl) throw new Error(`no console address in: ${consoleProcess.stdout}`);

    const job = writeJobSpec(dir, { jobId: uniqueJobId('console'), invitedOrgs: BANKS, rounds: ROUNDS, localEpochs: 2, roundDeadlineSeconds: 60, minParticipants: 2, admissionSeconds: 90 });
    [jobId, specPath] = [job.spec.jobId, job.path];

    browser = await launchChromium(chromiumPath as string);
    regulatorPage = await openConsole(browser, regulatorUrl, REGULATOR.user, REGULATOR.password);
    bankPage = await openConsole(browser, bankUrl, MODERATOR.user, MODERATOR.password);
    // A reload would clear this; the last test checks it is still there.
    await regulatorPage.evaluate(() => Object.assign(globalThis, { shoalTestMarker: 'same page' }));
  }, 120_000);

  afterAll(async () => {
    jobEnded = true;
    await sampling;
    await browser?.close();
    await processes.stopAll();
    await nats?.stop();
    removeTempDir(dir);
  });

  test('the regulator submits a job from a spec file; bank-1\'s moderator sees exactly what it would read, approves it, and the job starts', async () => {
    await regulatorPage.getByTestId('submit-spec-file').setInputFiles(specPath);
    await regulatorPage.getByTestId('submit-spec-button').click();
    await regulatorPage.getByTestId('submit-result').filter({ hasText: jobId }).waitFor({ timeout: 15_000 });
    sampling = (async () => {
      while (!jobEnded) {
        const points = await regulatorPage.getByTestId('metric-chart').getAttribute('data-points', { timeout: 1000 }).catch(() => null);
        if (points !== null && Number(points) !== curve.at(-1)) curve.push(Number(points));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    const offer = bankPage.getByTestId(`offer-${jobId}`);
    await offer.waitFor({ timeout: 30_000 });
    const columns = await bankPage.getByTestId(`offer-columns-${jobId}`).innerText();
    for (const column of ['X1', 'X12', 'X23', 'Y']) expect(columns).toContain(column);
    expect(await bankPage.getByTestId(`offer-description-${jobId}`).textContent()).toContain('1,313');
    // The card names the exact offer the moderator decides on; the decision carries that hash back.
    const offerSha256 = auditEntries().find((e) => e.type === 'offer.received' && e.data.jobId === jobId)?.data.offerSha256;
    expect(offerSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await bankPage.getByTestId(`offer-sha256-${jobId}`).textContent())?.trim()).toBe(offerSha256);
    await screenshot(bankPage, 'organisation-console');

    await bankPage.getByTestId(`decision-reason-${jobId}`).fill('risk committee agreed');
    await bankPage.getByTestId(`approve-${jobId}`).click();
    await bankPage.getByTestId(`active-job-${jobId}`).waitFor({ timeout: 30_000 });
    await bankPage.getByTestId('queue-empty').waitFor({ timeout: 10_000 });

    const decision = auditEntries().find((e) => e.type === 'offer.decision' && e.data.jobId === jobId);
    expect(decision).toEqual(expect.objectContaining({ actor: MODERATOR.user, data: expect.objectContaining({ offerSha256, accepted: true, decidedBy: 'person', reason: 'risk committee agreed' }) }));
  }, 90_000);

  test("the regulator's metric curve grows round by round while the job runs, without a reload", async () => {
    await regulatorPage.locator(`[data-testid="job-row-${jobId}"][data-state="completed"]`).waitFor({ timeout: JOB_TIMEOUT_MS });
    await regulatorPage.locator(`[data-testid="metric-chart"][data-points="${ROUNDS}"]`).waitFor({ timeout: 10_000 });
    jobEnded = true;
    await sampling;
    // Seen while it ran: more than one length on the way to the last round, each longer than the one before.
    expect(curve.filter((n) => n > 0 && n < ROUNDS).length).toBeGreaterThanOrEqual(1);
    expect(curve.at(-1)).toBe(ROUNDS);
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThan(curve[i - 1]);
    expect(await regulatorPage.evaluate(() => (globalThis as { shoalTestMarker?: string }).shoalTestMarker)).toBe('same page');

    const report = readJobReport(outRoot, jobId);
    expect(report.status).toBe('completed');
    expect(await regulatorPage.getByTestId('job-round').innerText()).toContain(`${ROUNDS}/${ROUNDS}`);
    const joined = await regulatorPage.getByTestId('orgs-joined').innerText();
    for (const bank of BANKS) expect(joined).toContain(bank);
    const heads = await regulatorPage.getByTestId('audit-heads').innerText();
    for (const head of report.audit.participantHeads) expect(heads).toContain(head.hash.slice(0, 16));
    expect(await regulatorPage.getByTestId('download-report').getAttribute('href')).toBe(`/api/jobs/${jobId}/report`);
    const reportDownload = await regulatorPage.request.get(new URL(`/api/jobs/${jobId}/report`, regulatorPage.url()).toString());
    expect({ status: reportDownload.status(), jobId: (await reportDownload.json()).jobId }).toEqual({ status: 200, jobId });
    const model = await regulatorPage.request.get(new URL(`/api/jobs/${jobId}/model`, regulatorPage.url()).toString());
    expect({ status: model.status(), type: model.headers()['content-type'] }).toEqual({ status: 200, type: 'application/gzip' });
    await screenshot(regulatorPage, 'regulator-console');
  }, JOB_TIMEOUT_MS + 30_000);

  test("bank-1's audit view finds its log intact, then flags the entry a test edits", async () => {
    await bankPage.getByTestId('audit-verify').click();
    await bankPage.locator('[data-testid="audit-result"][data-intact="true"]').waitFor({ timeout: 15_000 });

    const lines = readFileSync(auditLog, 'utf8').split('\n');
    const index = lines.findIndex((l) => l.includes('"offer.decision"') && l.includes(jobId));
    expect(index).toBeGreaterThan(0);
    lines[index] = lines[index].replace('risk committee agreed', 'nobody agreed');
    writeFileSync(auditLog, lines.join('\n'));

    await bankPage.getByTestId('audit-verify').click();
    await bankPage.locator('[data-testid="audit-result"][data-intact="false"]').waitFor({ timeout: 15_000 });
    const problems = await bankPage.getByTestId('audit-problems').innerText();
    expect(problems).toContain(`line ${index + 1}`);
    expect(problems).toContain('edited');
    await screenshot(bankPage, 'organisation-console-tampered');
  }, 60_000);

  test('an agent whose console names a missing users file refuses to start, saying so, before it joins anything', async () => {
    const config = writeAgentConfig(join(dir, 'misconfigured'), {
      orgId: 'bank-2',
      natsUrl: nats.url,
      datasets: { 'credit-default': join(dir, 'unused.csv') },
      policy: creditDefaultPolicy({ regulatorKey }),
      tls: await pki.participant('bank-2'),
      console: { port: 0, users: join(dir, 'no-such-users.yaml') },
    });
    const agent = processes.spawnNode('misconfigured agent', compiled.participantAgent, ['--config', config], { env: CHILD_ENV });
    const exit = await agent.waitForExit(30_000);
    expect(exit.code).toBe(2);
    expect(agent.stderr).toContain(`console: the console users file ${join(dir, 'no-such-users.yaml')} does not exist`);
  }, 40_000);

  function auditEntries(): AuditEntry[] {
    return readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  }
});
