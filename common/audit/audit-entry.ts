/**
 * One line of an audit log. Each entry names the hash of the one before it,
 * so removing, reordering or rewriting a line breaks the chain, and each hash
 * is signed, so only the holder of the log's key can extend it.
 */
import { createHash } from 'node:crypto';
import { ShoalError } from '../errors';
import { canonicalJson } from '../signing';

export interface AuditEntry {
  seq: number;
  /** ISO 8601 time the entry was written. */
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  /** Hex sha256 of the previous entry; GENESIS_PREV for entry 0. */
  prev: string;
  /** Hex sha256 of the canonical JSON of every field above. */
  hash: string;
  /** Base64 Ed25519 signature over the UTF-8 bytes of `hash`. */
  signature: string;
}

export const GENESIS_PREV = '0'.repeat(64);

/** Entry 0 of every log: it names the key that signs every entry, so a reader needs nothing but the file. */
export const GENESIS_TYPE = 'audit.opened';

export type AuditErrorCode = 'AUDIT_LOG_CORRUPT' | 'AUDIT_LOG_MISSING' | 'AUDIT_LOG_TRUNCATED' | 'AUDIT_LOG_UNREADABLE' | 'AUDIT_LOG_WRITE_FAILED' | 'AUDIT_HEAD_UNREADABLE' | 'AUDIT_ENTRY_INVALID';

export function auditError(code: AuditErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown): ShoalError {
  return new ShoalError(code, message, { component: 'common', details, cause });
}

export function entryHash(entry: Omit<AuditEntry, 'hash' | 'signature'>): string {
  // Only the named fields are hashed: a stray extra field must not be able to change what was signed.
  const { seq, at, type, actor, data, prev } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, type, actor, data, prev }), 'utf8').digest('hex');
}

/** The bytes an entry's signature covers. */
export function signedBytes(hash: string): Uint8Array {
  return Buffer.from(hash, 'utf8');
}

const FIELDS = ['seq', 'at', 'type', 'actor', 'data', 'prev', 'hash', 'signature'];
const HEX64 = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The entry one line of a log holds, or why the line is not one. Extra fields
 * are refused because nothing signs them, and a reader could trust them.
 */
export function parseEntryLine(line: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!isPlainObject(value)) return 'not a JSON object';
  const extra = Object.keys(value).filter((key) => !FIELDS.includes(key));
  if (extra.length > 0) return `unexpected field ${JSON.stringify(extra[0])}`;
  const { seq, at, type, actor, data, prev, hash, signature } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return '"seq" is not a non-negative integer';
  if (typeof at !== 'string' || !ISO_TIME.test(at) || Number.isNaN(Date.parse(at))) return '"at" is not an ISO 8601 time';
  if (typeof type !== 'string' || type === '') return '"type" is missing';
  if (typeof actor !== 'string') return '"actor" is missing';
  if (!isPlainObject(data)) return '"data" is not an object';
  if (typeof prev !== 'string' || !HEX64.test(prev)) return '"prev" is not 64 hex digits';
  if (typeof hash !== 'string' || !HEX64.test(hash)) return '"hash" is not 64 hex digits';
  if (typeof signature !== 'string' || signature === '') return '"signature" is missing';
  return { seq, at, type, actor, data, prev, hash, signature };
}

/**
 * Throws unless `value` is plain JSON. canonicalJson alone would hash a Date
 * or a Map as "{}", silently recording something other than what was meant.
 */
export function assertJsonValue(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw auditError('AUDIT_ENTRY_INVALID', `${path} is ${value}; audit data must be finite numbers`, { path });
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJsonValue(item, `${path}[${index}]`));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) if (item !== undefined) assertJsonValue(item, `${path}.${key}`);
    return;
  }
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw auditError('AUDIT_ENTRY_INVALID', `${path} is a ${kind}; audit data must be plain JSON`, { path });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
