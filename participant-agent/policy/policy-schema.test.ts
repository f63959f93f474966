import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrownShoalError } from '../../common/testing/thrown-shoal-error';
import { compilePolicy, loadPolicy } from './policy-schema';
import { DIGEST, permissivePolicyDocument, REQUESTER_KEY } from './policy-test-fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-schema-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(input: unknown): unknown[] {
  return thrownShoalError(() => compilePolicy(input), 'CONFIG_INVALID').details.problems as unknown[];
}

describe('compilePolicy', () => {
  test('fills every section of an empty policy with defaults that accept nothing', () => {
    expect(compilePolicy({})).toEqual({
      requesters: {},
      shareDecisionReasons: false,
      models: { allowedLayers: [], maxParameters: 1_000_000, maxRounds: 100, maxLocalEpochs: 10 },
      images: { allowedDigests: [] },
      privacy: { requireSecureAggregation: true, minParticipantsPerRound: 3, budgets: {} },
      resources: { maxMemoryMiB: 4096, maxCpus: 2, maxPids: 512, maxRoundDeadlineSeconds: 3600 },
      output: { maxL2Norm: 1000, onNormExceeded: 'reject', exampleCountGranularity: 1, maxViolations: 3, requireRelease: false },
      hook: undefined,
    });
  });

  test('gives each compiled policy its own default lists', () => {
    const [first, second] = [compilePolicy({}), compilePolicy({})];

    first.models.allowedLayers.push('Dense');

    expect(second.models.allowedLayers).toEqual([]);
    expect(compilePolicy({}).models.allowedLayers).toEqual([]);
  });

  test('defaults a requester to ask for approval, and expands column ranges', () => {
    const compiled = compilePolicy({ requesters: { regulator: { publicKey: REQUESTER_KEY, datasets: { 'credit-default': { columns: ['X1..X3', 'Y'] } } } } });

    expect(compiled.requesters.regulator).toEqual({ publicKey: REQUESTER_KEY, approval: 'ask', datasets: { 'credit-default': { columns: ['X1', 'X2', 'X3', 'Y'] } } });
  });

  test('fills time-window and hook defaults', () => {
    const compiled = compilePolicy({ timeWindows: { timezone: 'Europe/Paris', windows: [{ from: '22:00', to: '06:00' }] }, hook: { url: 'https://hooks.bank.example/offer' } });

    expect(compiled.timeWindows).toEqual({ timezone: 'Europe/Paris', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '22:00', to: '06:00' }], outside: 'deny' });
    expect(compiled.hook).toEqual({ url: 'https://hooks.bank.example/offer', timeoutSeconds: 10 });
  });

  test('runs a command hook of a policy without a file in the current folder', () => {
    expect(compilePolicy({ hook: { command: ['bin/check'] } }).hook).toEqual({ command: [join(process.cwd(), 'bin', 'check')], workingDirectory: process.cwd(), timeoutSeconds: 10 });
  });

  test('names a misspelled field with its path and the field it probably meant', () => {
    expect(problemsOf({ models: { allowedLayer: ['Dense'] } })).toEqual([
      { path: 'models.allowedLayer', expected: 'no such field (did you mean "allowedLayers"?)', found: 'unknown field "allowedLayer"' },
    ]);
    expect(problemsOf({ requester: {} })).toEqual([{ path: 'requester', expected: 'no such field (did you mean "requesters"?)', found: 'unknown field "requester"' }]);
  });

  test.each([
    ['a public key that is not ed25519:<base64>', { requesters: { regulator: { publicKey: 'ssh-ed25519 AAAA' } } }, 'requesters.regulator.publicKey', 'the string "ssh-ed25519 AAAA"'],
    ['a public key of the wrong length', { requesters: { regulator: { publicKey: 'ed25519:AAAA' } } }, 'requesters.regulator.publicKey', 'the string "ed25519:AAAA"'],
    ['a requester id in capitals', { requesters: { Regulator: { publicKey: REQUESTER_KEY } } }, 'requesters.Regulator', 'an object'],
    ['an empty column list', { requesters: { regulator: { publicKey: REQUESTER_KEY, datasets: { d: { columns: [] } } } } }, 'requesters.regulator.datasets.d.columns', 'a list of 0'],
    ['a column range that counts down', { requesters: { regulator: { publicKey: REQUESTER_KEY, datasets: { d: { columns: ['X9..X1'] } } } } }, 'requesters.regulator.datasets.d.columns', 'a range that counts down or holds more than 100001 columns'],
    ['an image id that is not a sha256 digest', { images: { allowedDigests: ['sha256:abc'] } }, 'images.allowedDigests[0]', 'the string "sha256:abc"'],
    ['a layer class trainers do not know', { models: { allowedLayers: ['Dense', 'LSTM'] } }, 'models.allowedLayers[1]', 'the string "LSTM"'],
    ['a time zone that does not exist', { timeWindows: { timezone: 'Mars/Olympus', windows: [{ from: '08:00', to: '18:00' }] } }, 'timeWindows.timezone', 'the string "Mars/Olympus"'],
    ['a time that is not HH:MM', { timeWindows: { timezone: 'UTC', windows: [{ from: '8am', to: '18:00' }] } }, 'timeWindows.windows[0].from', 'the string "8am"'],
    ['a window that opens and closes at once', { timeWindows: { timezone: 'UTC', windows: [{ from: '08:00', to: '08:00' }] } }, 'timeWindows.windows[0]', '08:00 to 08:00'],
    ['a misspelled weekday', { timeWindows: { timezone: 'UTC', windows: [{ days: ['monday'], from: '08:00', to: '09:00' }] } }, 'timeWindows.windows[0].days[0]', 'the string "monday"'],
    ['a hook with both a command and a url', { hook: { command: ['/bin/check'], url: 'http://127.0.0.1/x' } }, 'hook', 'both'],
    ['a hook with neither', { hook: { timeoutSeconds: 5 } }, 'hook', 'neither'],
    ['a hook url that is not http', { hook: { url: 'file:///etc/passwd' } }, 'hook.url', 'the string "file:///etc/passwd"'],
    ['an output policy that clips nothing', { output: { onNormExceeded: 'ignore' } }, 'output.onNormExceeded', 'the string "ignore"'],
  ])('reports %s as a field error', (_name, input, path, found) => {
    expect(problemsOf(input)).toEqual([expect.objectContaining({ path, found })]);
  });
});

describe('loadPolicy', () => {
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test('loads the documented example', () => {
    const path = write('policy.yaml', `
requesters:
  regulator:
    publicKey: "${REQUESTER_KEY}"
    approval: ask
    datasets:
      credit-default:
        columns: [LIMIT_BAL, AGE]
shareDecisionReasons: false
models: { allowedLayers: [Dense, Dropout], maxParameters: 100000, maxRounds: 50, maxLocalEpochs: 5 }
images: { allowedDigests: ["${DIGEST}"] }
privacy:
  requireSecureAggregation: true
  minParticipantsPerRound: 3
  differentialPrivacy: { maxEpsilon: 10, maxDelta: 1.0e-5 }
  budgets:
    credit-default: { epsilon: 20 }
resources: { maxMemoryMiB: 4096 }
timeWindows: { timezone: Europe/Paris, windows: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }], outside: ask }
hook: { command: ["/usr/local/bin/check-offer"], timeoutSeconds: 10 }
output: { maxL2Norm: 1000, onNormExceeded: reject, exampleCountGranularity: 1, maxViolations: 3, requireRelease: false }
`);

    const policy = loadPolicy(path);

    expect(policy.requesters.regulator.datasets['credit-default'].columns).toEqual(['LIMIT_BAL', 'AGE']);
    expect(policy.privacy).toEqual({ requireSecureAggregation: true, minParticipantsPerRound: 3, differentialPrivacy: { maxEpsilon: 10, maxDelta: 1e-5 }, budgets: { 'credit-default': { epsilon: 20 } } });
    expect(policy.resources).toEqual({ maxMemoryMiB: 4096, maxCpus: 2, maxPids: 512, maxRoundDeadlineSeconds: 3600 });
    expect(policy.hook).toEqual({ command: ['/usr/local/bin/check-offer'], workingDirectory: dir, timeoutSeconds: 10 });
    expect(policy.timeWindows?.outside).toBe('ask');
  });

  test('resolves a relative hook path against the policy file\'s folder, and leaves a bare name and an absolute path alone', () => {
    const hookOf = (command: string[]): unknown => loadPolicy(write('hook.yaml', `hook: { command: ${JSON.stringify(command)} }\n`)).hook;

    expect(hookOf(['hooks/check', 'hooks/arg'])).toEqual({ command: [join(dir, 'hooks', 'check'), 'hooks/arg'], workingDirectory: dir, timeoutSeconds: 10 });
    expect(hookOf(['./check'])).toEqual({ command: [join(dir, 'check')], workingDirectory: dir, timeoutSeconds: 10 });
    expect(hookOf(['check-offer'])).toEqual({ command: ['check-offer'], workingDirectory: dir, timeoutSeconds: 10 });
    expect(hookOf(['/opt/bank/check'])).toEqual({ command: ['/opt/bank/check'], workingDirectory: dir, timeoutSeconds: 10 });
  });

  test('reads a file of comments only as the empty policy', () => {
    expect(loadPolicy(write('empty.yaml', '# nothing allowed yet\n'))).toEqual(compilePolicy({}));
  });

  test('names the file when it cannot be read, is not YAML, or is invalid', () => {
    const missing = join(dir, 'missing.yaml');
    const notYaml = write('broken.yaml', 'requesters: [unclosed\n');
    const invalid = write('invalid.yaml', 'models: { maxRounds: 0 }\n');

    expect(thrownShoalError(() => loadPolicy(missing), 'CONFIG_INVALID').message).toMatch(new RegExp(`^cannot read policy ${missing}: .*ENOENT`));
    expect(thrownShoalError(() => loadPolicy(notYaml), 'CONFIG_INVALID').message).toContain(`cannot read policy ${notYaml}`);
    expect(thrownShoalError(() => loadPolicy(invalid), 'CONFIG_INVALID').message).toBe(`policy ${invalid} is invalid:\n  - models.maxRounds: expected number to be >=1; found number 0`);
  });

  test('accepts the permissive test fixture', () => {
    expect(() => compilePolicy(permissivePolicyDocument())).not.toThrow();
  });
});
