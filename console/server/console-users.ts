/**
 * Who may log in to a console: a YAML file of user names and scrypt password
 * hashes, written by `shoal console add-user` and read by both console
 * servers. Only hashes are stored; the file is written mode 0600. A name
 * that is not in the file costs the same scrypt work as a wrong password,
 * so the answer time does not tell which names exist.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { writeFileAtomic } from '../../common/atomic-file';
import { ConfigError, errorMessage } from '../../common/errors';
import { parseWithSchema } from '../../common/schema-errors';

/** scrypt cost: N = 2^15 takes ~50 ms here, slow enough for guessing, quick enough for a login. */
const SCRYPT = { N: 32768, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 };
export const MIN_PASSWORD_LENGTH = 10;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const hashPattern = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

const usersFileSchema = z.strictObject({
  users: z.record(z.string().regex(USER_NAME, 'a user name (letters, digits, ".", "_", "@", "-")'), z.strictObject({
    passwordHash: z.string().superRefine((value, ctx) => {
      const problem = hashProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  })),
});

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString('base64')}:${hash.toString('base64')}`;
}

/** Why a stored hash cannot be one `hashPassword` wrote (a short key would match any password), or null. */
function hashProblem(stored: string): string | null {
  const [, n, r, p, salt, hash] = hashPattern.exec(stored) ?? [];
  if (n === undefined) return 'a hash written by `shoal console add-user`';
  const N = Number(n);
  if (N < 16384 || (N & (N - 1)) !== 0 || 128 * N * Number(r) > SCRYPT.maxmem || Number(r) < 1 || Number(p) < 1) return 'scrypt settings N (a power of two ≥ 16384), r and p within the memory limit';
  if (Buffer.from(salt, 'base64').length < 16 || Buffer.from(hash, 'base64').length !== SCRYPT.keyLength) return `a salt of at least 16 bytes and a ${SCRYPT.keyLength}-byte hash`;
  return null;
}

function matches(password: string, stored: string): boolean {
  const [, n, r, p, salt, hash] = hashPattern.exec(stored) ?? [];
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), SCRYPT.keyLength, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return expected.length === SCRYPT.keyLength && timingSafeEqual(actual, expected);
}

function readUsersFile(path: string): Record<string, { passwordHash: string }> {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read the console users file ${path}: ${errorMessage(err)}`, { path }, err);
  }
  return parseWithSchema(usersFileSchema, document, `console users file ${path}`).users;
}

export class ConsoleUsers {
  /** A hash no password matches in practice, checked for unknown names so they take as long as known ones. */
  private readonly decoy = hashPassword(randomBytes(24).toString('base64'));

  private constructor(private readonly users: Record<string, { passwordHash: string }>) {}

  /** The users in `path`; CONFIG_INVALID when it is missing, unreadable or holds no user. */
  static load(path: string): ConsoleUsers {
    if (!existsSync(path)) throw new ConfigError(`the console users file ${path} does not exist; create a user with \`shoal console add-user <name> --users ${path}\``, { path });
    const users = readUsersFile(path);
    if (Object.keys(users).length === 0) throw new ConfigError(`the console users file ${path} names no user; add one with \`shoal console add-user <name> --users ${path}\``, { path });
    return new ConsoleUsers(users);
  }

  get names(): string[] {
    return Object.keys(this.users).sort();
  }

  verify(user: string, password: string): boolean {
    const entry = Object.prototype.hasOwnProperty.call(this.users, user) ? this.users[user] : undefined;
    const ok = matches(password, entry?.passwordHash ?? this.decoy);
    return ok && entry !== undefined;
  }
}

/** Adds the user, or replaces their password; the file is created (mode 0600) when missing. */
export function addConsoleUser(path: string, user: string, password: string): { created: boolean } {
  if (!USER_NAME.test(user)) throw new ConfigError(`${JSON.stringify(user)} is not a user name: expected letters, digits, ".", "_", "@" or "-", at most 64 characters`);
  if (password.length < MIN_PASSWORD_LENGTH) throw new ConfigError(`the password is too short: at least ${MIN_PASSWORD_LENGTH} characters`);
  const users = existsSync(path) ? readUsersFile(path) : {};
  const created = !Object.prototype.hasOwnProperty.call(users, user);
  users[user] = { passwordHash: hashPassword(password) };
  const header = '# Console users: names and scrypt password hashes, written by `shoal console add-user`.\n';
  writeFileAtomic(path, header + stringify({ users }), { mode: 0o600 });
  return { created };
}
