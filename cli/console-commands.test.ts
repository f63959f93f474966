/**
 * `shoal console add-user` and the checks `shoal console serve` makes before
 * it starts anything: each bad input exits 2 with a message naming it.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCliInProcess } from '../common/testing/in-process-cli';
import { ConsoleUsers } from '../console';
import { registerConsoleCommands } from './console-commands';

const run = (args: string[]) => runCliInProcess(registerConsoleCommands, ['CONFIG_INVALID'], ['console', ...args]);

/** Runs add-user with `password` piped in, as `printf … | shoal console add-user` would. */
async function addUser(users: string, name: string, password: string) {
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(`${password}\n`)]), configurable: true });
  try {
    return await run(['add-user', name, '--users', users, '--password-stdin']);
  } finally {
    Object.defineProperty(process, 'stdin', stdin as PropertyDescriptor);
  }
}

describe('shoal console', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-console-cli-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('add-user stores a scrypt hash in a 0600 file; the password logs in and is nowhere in the file', async () => {
    const users = join(dir, 'users.yaml');
    const outcome = await addUser(users, 'rita', 'a long enough password');
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout }).toEqual({ exitCode: 0, stdout: `added rita in ${users}\n` });
    expect(statSync(users).mode & 0o777).toBe(0o600);
    expect(readFileSync(users, 'utf8')).not.toContain('a long enough password');
    expect(ConsoleUsers.load(users).verify('rita', 'a long enough password')).toBe(true);
  });

  test('add-user refuses a short password and a bad name, changing nothing', async () => {
    const users = join(dir, 'users.yaml');
    const short = await addUser(users, 'rita', 'short');
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toContain('the password is too short: at least 10 characters');
    const badName = await addUser(users, 'rita smith', 'a long enough password');
    expect(badName.exitCode).toBe(2);
    expect(badName.stderr).toContain('"rita smith" is not a user name');
    expect(() => statSync(users)).toThrow();
  });

  test('serve names a missing users file, a missing key and an exposed address without TLS', async () => {
    const key = join(dir, 'regulator.key.pem');
    const noKey = await run(['serve', '--key', key, '--users', join(dir, 'users.yaml')]);
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr).toContain(`--key: ${key} does not exist`);

    writeFileSync(key, 'not read before the users file');
    const noUsers = await run(['serve', '--key', key, '--users', join(dir, 'users.yaml')]);
    expect(noUsers.exitCode).toBe(2);
    expect(noUsers.stderr).toContain('does not exist; create a user with `shoal console add-user');

    const users = join(dir, 'users.yaml');
    await addUser(users, 'rita', 'a long enough password');
    const exposed = await run(['serve', '--key', key, '--users', users, '--host', '0.0.0.0']);
    expect(exposed.exitCode).toBe(2);
    expect(exposed.stderr).toContain('the console binds 0.0.0.0, which is not loopback, so it needs a certificate and key to serve HTTPS');

    const halfTls = await run(['serve', '--key', key, '--users', users, '--tls-cert', join(dir, 'c.pem')]);
    expect(halfTls.exitCode).toBe(2);
    expect(halfTls.stderr).toContain('--tls-cert and --tls-key go together');
  });
});
