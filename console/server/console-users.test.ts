import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrownShoalError } from '../../common/testing/thrown-shoal-error';
import { addConsoleUser, ConsoleUsers, hashPassword, MIN_PASSWORD_LENGTH } from './console-users';

// Each scrypt hash costs ~50–100 ms: the users file with alice is written once
// and each test adds at most a hash or two of its own.
const ALICE_PASSWORD = 'correct horse battery';
const HASH = /^scrypt:32768:8:1:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{43}=$/;

let dir: string;
let alicePath: string;
let aliceAdded: { created: boolean };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-console-users-'));
  alicePath = join(dir, 'alice.yaml');
  aliceAdded = addConsoleUser(alicePath, 'alice', ALICE_PASSWORD);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('addConsoleUser and ConsoleUsers.load', () => {
  test('a user added to a new file can log in with their password and no other', () => {
    const users = ConsoleUsers.load(alicePath);

    expect(aliceAdded).toEqual({ created: true });
    expect(users.names).toEqual(['alice']);
    expect(users.verify('alice', ALICE_PASSWORD)).toBe(true);
    expect(users.verify('alice', 'correct horse batterY')).toBe(false);
    expect(users.verify('mallory', ALICE_PASSWORD)).toBe(false);
  });

  test('a name that is a property of every object is not a user', () => {
    const users = ConsoleUsers.load(alicePath);

    expect(users.verify('constructor', ALICE_PASSWORD)).toBe(false);
  });

  test('the file is mode 0600 and holds the scrypt hash, never the password', () => {
    const text = readFileSync(alicePath, 'utf8');

    expect(statSync(alicePath).mode & 0o777).toBe(0o600);
    expect(text).not.toContain(ALICE_PASSWORD);
    expect(text.startsWith('# Console users: names and scrypt password hashes')).toBe(true);
    const hash = /passwordHash: (\S+)/.exec(text)?.[1];
    expect(hash).toMatch(HASH);
  });

  test('adding an existing user replaces their password and keeps the others', () => {
    const path = join(dir, 'replace.yaml');
    const firstHash = hashPassword('first password 1');
    writeFileSync(path, `users:\n  alice:\n    passwordHash: "${firstHash}"\n  bob:\n    passwordHash: "${firstHash}"\n`);

    const result = addConsoleUser(path, 'alice', 'second password 2');

    expect(result).toEqual({ created: false });
    const users = ConsoleUsers.load(path);
    expect(users.names).toEqual(['alice', 'bob']);
    expect(users.verify('alice', 'second password 2')).toBe(true);
    expect(users.verify('alice', 'first password 1')).toBe(false);
    expect(readFileSync(path, 'utf8')).toContain(`passwordHash: ${firstHash}`);
  });

  test('two hashes of the same password differ (each has its own salt)', () => {
    const one = hashPassword('same password');
    const two = hashPassword('same password');

    expect(one).toMatch(HASH);
    expect(two).toMatch(HASH);
    expect(one).not.toBe(two);
  });
});

describe('addConsoleUser refuses', () => {
  test('a password shorter than the minimum, naming the minimum, and writes nothing', () => {
    const path = join(dir, 'short.yaml');

    const err = thrownShoalError(() => addConsoleUser(path, 'alice', 'x'.repeat(MIN_PASSWORD_LENGTH - 1)), 'CONFIG_INVALID');

    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(err.message).toBe('the password is too short: at least 10 characters');
    expect(() => statSync(path)).toThrow(/ENOENT/);
  });

  test.each([
    ['with a space', 'alice smith'],
    ['starting with a dot', '.alice'],
    ['empty', ''],
    ['65 characters long', 'a'.repeat(65)],
  ])('a user name %s', (_what, name) => {
    const err = thrownShoalError(() => addConsoleUser(join(dir, 'names.yaml'), name, ALICE_PASSWORD), 'CONFIG_INVALID');

    expect(err.message).toBe(`${JSON.stringify(name)} is not a user name: expected letters, digits, ".", "_", "@" or "-", at most 64 characters`);
  });
});

describe('ConsoleUsers.load refuses', () => {
  test('a missing file, naming it and how to create a user', () => {
    const path = join(dir, 'missing.yaml');

    const err = thrownShoalError(() => ConsoleUsers.load(path), 'CONFIG_INVALID');

    expect(err.message).toBe(`the console users file ${path} does not exist; create a user with \`shoal console add-user <name> --users ${path}\``);
  });

  test('a file that names no user', () => {
    const path = join(dir, 'empty.yaml');
    writeFileSync(path, 'users: {}\n');

    const err = thrownShoalError(() => ConsoleUsers.load(path), 'CONFIG_INVALID');

    expect(err.message).toBe(`the console users file ${path} names no user; add one with \`shoal console add-user <name> --users ${path}\``);
  });

  test('a hash that `shoal console add-user` did not write, naming the file and the field', () => {
    const path = join(dir, 'malformed.yaml');
    writeFileSync(path, 'users:\n  alice:\n    passwordHash: correct-horse-battery\n');

    const err = thrownShoalError(() => ConsoleUsers.load(path), 'CONFIG_INVALID');

    expect(err.message).toBe(`console users file ${path} is invalid:\n  - users.alice.passwordHash: expected a hash written by \`shoal console add-user\`; found the string "correct-horse-battery"`);
  });

  test('a hash whose key part is too short to check anything is refused, not taken as matching every password', () => {
    const path = join(dir, 'short-key.yaml');
    writeFileSync(path, 'users:\n  alice:\n    passwordHash: "scrypt:32768:8:1:AAAAAAAAAAAAAAAAAAAAAA==:A"\n');

    const err = thrownShoalError(() => ConsoleUsers.load(path), 'CONFIG_INVALID');

    expect(err.message).toContain('users.alice.passwordHash: expected a salt of at least 16 bytes and a 32-byte hash');
  });

  test('a file that is not YAML, naming it', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'users: [unclosed\n');

    const err = thrownShoalError(() => ConsoleUsers.load(path), 'CONFIG_INVALID');

    expect(err.message.startsWith(`cannot read the console users file ${path}: `)).toBe(true);
  });
});
