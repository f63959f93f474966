import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { evaluatePolicy, policyRules, type PolicyDecision } from './policy-chain';
import { loadPolicy } from './policy-schema';
import { jobSpec, merged, offerContext, permissivePolicyDocument, policy } from './policy-test-fixtures';
import type { OfferContext } from './rule';

let dir: string;
const script = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const READ_OFFER = `let input = ''; process.stdin.on('data', (c) => (input += c)); process.stdin.on('end', () => answer(JSON.parse(input)));`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-hook-'));
  script('answer.js', `${READ_OFFER}
function answer(offer) { process.stdout.write(JSON.stringify({ decision: process.argv[2], reason: [offer.orgId, offer.spec.jobId, offer.modelParameters, offer.at].join(' ') })); }`);
  script('marker.js', `require('fs').appendFileSync(process.argv[2], 'called\\n'); process.stdout.write('{"decision":"allow","reason":"ok"}');`);
  script('no-stdin.js', `process.stdout.write('{"decision":"allow","reason":"did not read the offer"}');`);
  script('garbage.js', `process.stdout.write('hello, this is not JSON');`);
  script('wrong-shape.js', `process.stdout.write('{"decision":"yes"}');`);
  script('exit-3.js', `process.exitCode = 3; process.stdout.write('{"decision":"allow","reason":"but failing"}');`);
  script('flood.js', `process.stdout.write('x'.repeat(100 * 1024));`);
  script('sleep.sh', `echo $$ > "$1"\nsleep 30 &\necho $! >> "$1"\nwait\n`);
  script('environment.js', `process.stdout.write(JSON.stringify({ decision: 'allow', reason: \`secret=\${process.env.SHOAL_SECRET_FOR_TEST} variables=\${Object.keys(process.env).sort().join(',')}\` }));`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function decide(hook: Record<string, unknown>, context: OfferContext = offerContext()): Promise<PolicyDecision> {
  return evaluatePolicy(policyRules(policy({ hook })), context);
}

const node = (name: string, ...args: string[]): string[] => [process.execPath, join(dir, name), ...args];
const hookReason = (decision: PolicyDecision): string | undefined => decision.reasons.find((v) => v.rule === 'hook')?.reason;

/** Gone or a zombie: a killed process may wait for a reaper that this container lacks. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

describe('a command hook', () => {
  test.each([
    ['allow', 'allow', null],
    ['deny', 'deny', 'hook'],
    ['ask', 'ask', 'hook'],
  ])('answering %s decides %s, and receives the offer on stdin', async (answer, outcome, decidingRule) => {
    const decision = await decide({ command: node('answer.js', answer) });

    expect(decision).toMatchObject({ outcome, decidingRule });
    expect(hookReason(decision)).toBe(`the hook answered ${answer}: bank-1 credit-default-mlp 1313 2024-01-15T10:00:00.000Z`);
  });

  test('may answer without reading the offer', async () => {
    expect((await decide({ command: node('no-stdin.js') })).outcome).toBe('allow');
  });

  test('that sleeps past its timeout is denied as timed out, and killed with what it started', async () => {
    const pids = join(dir, 'sleep.pids');
    const started = Date.now();

    const decision = await decide({ command: ['/bin/sh', join(dir, 'sleep.sh'), pids], timeoutSeconds: 1 });

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'hook' });
    expect(hookReason(decision)).toBe('hook timed out after 1 s');
    expect(Date.now() - started).toBeLessThan(5000);
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    for (let i = 0; i < 50 && !(isGone(shell) && isGone(sleeper)); i++) await new Promise((r) => setTimeout(r, 20));
    expect([isGone(shell), isGone(sleeper)]).toEqual([true, true]);
  });

  test.each([
    ['prints garbage', ['garbage.js'], 'hook answered something that is not JSON: "hello, this is not JSON"'],
    ['answers JSON of the wrong shape', ['wrong-shape.js'], 'hook answered JSON other than {"decision": "allow"|"deny"|"ask", "reason": "…"}'],
    ['exits non-zero, whatever it printed', ['exit-3.js'], 'hook exited with code 3'],
    ['writes more than 64 KiB', ['flood.js'], 'hook wrote more than 64 KiB'],
  ])('that %s is denied', async (_name, [name], reason) => {
    const decision = await decide({ command: node(name) });

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'hook' });
    expect(hookReason(decision)).toBe(reason);
  });

  test('that does not exist is denied', async () => {
    const decision = await decide({ command: [join(dir, 'no-such-hook')] });

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'hook' });
    expect(hookReason(decision)).toMatch(/^hook command .*no-such-hook could not run: spawn .* ENOENT$/);
  });

  test('sees none of the agent\'s environment but PATH', async () => {
    process.env.SHOAL_SECRET_FOR_TEST = 'hunter2';
    try {
      const decision = await decide({ command: node('environment.js') });

      expect(hookReason(decision)).toBe('the hook answered allow: secret=undefined variables=PATH');
    } finally {
      delete process.env.SHOAL_SECRET_FOR_TEST;
    }
  });

  test('named by a path relative to the policy file runs from the policy file\'s folder', async () => {
    const folder = join(dir, 'bank-policy');
    mkdirSync(join(folder, 'hooks'), { recursive: true });
    const hook = join(folder, 'hooks', 'where.sh');
    writeFileSync(hook, `#!/bin/sh\nprintf '{"decision":"allow","reason":"ran in %s"}' "$(pwd)"\n`);
    chmodSync(hook, 0o755);
    const policyPath = join(folder, 'policy.yaml');
    writeFileSync(policyPath, stringify(merged(permissivePolicyDocument(), { hook: { command: ['hooks/where.sh'] } })));

    const decision = await evaluatePolicy(policyRules(loadPolicy(policyPath)), offerContext());

    expect(decision.outcome).toBe('allow');
    expect(hookReason(decision)).toBe(`the hook answered allow: ran in ${realpathSync(folder)}`);
  });

  test('is not run once an earlier rule denied', async () => {
    const marker = join(dir, 'marker.txt');
    const hook = { command: node('marker.js', marker) };

    const denied = await decide(hook, offerContext({ spec: jobSpec({ requester: 'stranger' }) }));
    expect(existsSync(marker)).toBe(false);
    expect(denied.reasons.map((v) => v.rule)).not.toContain('hook');

    const allowed = await decide(hook);
    expect(allowed.outcome).toBe('allow');
    expect(readFileSync(marker, 'utf8')).toBe('called\n');
  });
});

describe('an HTTP hook', () => {
  let server: Server;
  let base: string;
  const received: { contentType?: string; body: Record<string, unknown> }[] = [];

  const bodyOf = async (request: IncomingMessage): Promise<string> => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text;
  };

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await bodyOf(request);
      received.push({ contentType: request.headers['content-type'], body: JSON.parse(body) });
      if (request.url === '/fail') return response.writeHead(500).end('internal error');
      if (request.url === '/slow') return setTimeout(() => response.end('{"decision":"allow","reason":"late"}'), 3000).unref();
      const decision = request.url?.slice(1);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ decision, reason: `checked ${(JSON.parse(body) as { spec: { jobId: string } }).spec.jobId}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('answering allow decides allow, and receives the offer as a JSON POST body', async () => {
    received.length = 0;

    const decision = await decide({ url: `${base}/allow` });

    expect(decision).toMatchObject({ outcome: 'allow', decidingRule: null });
    expect(hookReason(decision)).toBe('the hook answered allow: checked credit-default-mlp');
    expect(received).toEqual([{ contentType: 'application/json', body: expect.objectContaining({ orgId: 'bank-1', modelParameters: 1313, at: '2024-01-15T10:00:00.000Z' }) }]);
  });

  test('answering ask decides ask', async () => {
    expect(await decide({ url: `${base}/ask` })).toMatchObject({ outcome: 'ask', decidingRule: 'hook' });
  });

  test.each([
    ['answers HTTP 500', '/fail', 'hook answered HTTP 500'],
    ['answers too late', '/slow', 'hook timed out after 1 s'],
  ])('that %s is denied', async (_name, path, reason) => {
    const decision = await decide({ url: `${base}${path}`, timeoutSeconds: 1 });

    expect(decision).toMatchObject({ outcome: 'deny', decidingRule: 'hook' });
    expect(hookReason(decision)).toBe(reason);
  });

  test('that refuses connections is denied with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const decision = await decide({ url: `http://127.0.0.1:${port}/allow` });

    expect(hookReason(decision)).toMatch(/^hook request failed: .*ECONNREFUSED/);
  });
});
