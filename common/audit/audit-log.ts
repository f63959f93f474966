/**
 * The append-only audit log one party keeps: JSON Lines, each entry chained
 * to the one before and signed with the party's identity key. Appends are
 * synchronous and fsynced, so the order on disk is the order of events and
 * an entry the caller saw written survives a crash.
 */
import { appendFileSync, closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IdentityKeyPair } from '../secagg';
import { canonicalJson, publicKeyText } from '../signing';
import { assertJsonValue, auditError, entryHash, GENESIS_PREV, GENESIS_TYPE, isPlainObject, signedBytes, type AuditEntry } from './audit-entry';
import { checkAgainstRecorded, readRecordedHead, writeRecordedHead } from './recorded-head';
import { verifyAuditLog } from './verify-audit-log';
import { syncDirectory } from '../sync-directory';

export interface AuditLogOptions {
  /** Who keeps the log (an organisation id); the default actor of its entries. */
  owner: string;
  /** Signs every entry; the genesis entry records its public key. */
  identity: IdentityKeyPair;
  now?: () => Date;
  /**
   * Where the log's last head is also kept (see recorded-head.ts): a log that
   * is missing, empty or shorter than the head recorded there is refused.
   * Keep it outside the log's folder, with the party's other records.
   */
  headFile?: string;
  /**
   * The log must exist already: its owner has kept it before (it has an
   * identity key from an earlier start). A missing or empty log is refused
   * instead of being started again, which would silently restart the trail.
   */
  established?: boolean;
}

export class AuditLog {
  private last: { seq: number; hash: string };
  /** The file's size after our last write; a different size means someone else wrote to it. */
  private size: number;
  private needsNewline: boolean;
  /** Set when a write failed part-way: the file may end in half a line, so nothing more may be appended. */
  private failure: unknown = undefined;

  private constructor(
    private readonly file: string,
    private readonly owner: string,
    private readonly identity: IdentityKeyPair,
    private readonly now: () => Date,
    private readonly headFile: string | undefined,
    state: { head: { seq: number; hash: string }; size: number; needsNewline: boolean },
  ) {
    this.last = state.head;
    this.size = state.size;
    this.needsNewline = state.needsNewline;
  }

  /**
   * Opens the log at `path`, starting it if the file is missing or empty and
   * nothing says it existed before (options.established, a recorded head).
   * An existing log is verified against this identity's key first; one that
   * is damaged, signed by another key, kept by another owner or shorter than
   * its recorded head is refused rather than extended, since appending would
   * hide the damage.
   */
  static open(path: string, options: AuditLogOptions): AuditLog {
    const now = options.now ?? (() => new Date());
    const { headFile } = options;
    const recorded = headFile === undefined ? undefined : readRecordedHead(headFile);
    mkdirSync(dirname(path), { recursive: true });
    const bytes = readIfPresent(path);
    if (bytes.length === 0) {
      if (recorded || options.established) {
        const state = existsSync(path) ? 'empty' : 'missing';
        const why = recorded
          ? `${headFile} records that it had reached entry ${recorded.seq} (hash ${recorded.hash.slice(0, 16)}…)`
          : 'this agent has kept it before (its identity key exists)';
        throw auditError('AUDIT_LOG_MISSING', `the audit log ${path} is ${state}, but ${why}; refusing to start a new trail over it: restore the log from a backup`, {
          path, state, expected: recorded ?? null,
        });
      }
      const log = new AuditLog(path, options.owner, options.identity, now, headFile, { head: { seq: -1, hash: GENESIS_PREV }, size: 0, needsNewline: false });
      log.append(GENESIS_TYPE, { owner: options.owner, publicKey: publicKeyText(options.identity.publicKey) });
      syncDirectory(dirname(path));
      return log;
    }
    const text = bytes.toString('utf8');
    const verification = verifyAuditLog(text, { publicKey: publicKeyText(options.identity.publicKey) });
    const first = verification.problems[0];
    if (first !== undefined) {
      throw auditError('AUDIT_LOG_CORRUPT', `the audit log ${path} is damaged, so nothing more is written to it: ${first.message}`, { path, kind: first.kind, line: first.line, problems: verification.problems.length });
    }
    if (verification.owner !== options.owner) {
      throw auditError('AUDIT_LOG_CORRUPT', `the audit log ${path} is kept by ${JSON.stringify(verification.owner)}, not ${JSON.stringify(options.owner)}`, { path });
    }
    const head = verification.head!;
    if (headFile !== undefined) {
      if (recorded) checkAgainstRecorded(path, headFile, text, head, recorded);
      // A log kept before heads were recorded, or one entry ahead after a crash, is caught up now.
      if (!recorded || recorded.seq !== head.seq) writeRecordedHead(headFile, path, head);
    }
    return new AuditLog(path, options.owner, options.identity, now, headFile, {
      head,
      size: bytes.length,
      // A log whose last line lost its newline would otherwise have the next entry glued onto it.
      needsNewline: !text.endsWith('\n'),
    });
  }

  get path(): string {
    return this.file;
  }

  get publicKey(): string {
    return publicKeyText(this.identity.publicKey);
  }

  head(): { seq: number; hash: string } {
    return { ...this.last };
  }

  append(type: string, data: Record<string, unknown>, actor: string = this.owner): AuditEntry {
    if (this.failure !== undefined) throw auditError('AUDIT_LOG_CORRUPT', `an earlier write to the audit log ${this.file} failed; reopen it to check what reached the disk`, { path: this.file }, this.failure);
    if (typeof type !== 'string' || type === '') throw auditError('AUDIT_ENTRY_INVALID', 'an audit entry needs a type', {});
    if (typeof actor !== 'string') throw auditError('AUDIT_ENTRY_INVALID', `the actor of a ${type} entry must be a string`, { type });
    if (!isPlainObject(data)) throw auditError('AUDIT_ENTRY_INVALID', `the data of a ${type} entry must be a plain object`, { type });
    assertJsonValue(data, 'data');
    // Stored exactly as hashed: what canonicalJson drops (undefined fields) must not reappear on disk.
    const stored = JSON.parse(canonicalJson(data)) as Record<string, unknown>;
    const unsigned = { seq: this.last.seq + 1, at: this.now().toISOString(), type, actor, data: stored, prev: this.last.hash };
    const hash = entryHash(unsigned);
    const signature = Buffer.from(this.identity.sign(signedBytes(hash))).toString('base64');
    const entry: AuditEntry = { ...unsigned, hash, signature };
    this.write(`${this.needsNewline ? '\n' : ''}${JSON.stringify(entry)}\n`);
    this.needsNewline = false;
    this.last = { seq: entry.seq, hash };
    // After the entry is on disk: a crash in between leaves the log ahead of its record, never behind.
    if (this.headFile !== undefined) writeRecordedHead(this.headFile, this.file, this.last);
    return entry;
  }

  private write(line: string): void {
    const fd = openSync(this.file, 'a', 0o600);
    try {
      if (fstatSync(fd).size !== this.size) {
        throw auditError('AUDIT_LOG_CORRUPT', `the audit log ${this.file} was changed by another writer; refusing to fork its chain`, { path: this.file });
      }
      try {
        appendFileSync(fd, line, 'utf8');
        fsyncSync(fd);
      } catch (err) {
        this.failure = err;
        throw auditError('AUDIT_LOG_WRITE_FAILED', `cannot write to the audit log ${this.file}`, { path: this.file }, err);
      }
      this.size += Buffer.byteLength(line, 'utf8');
    } finally {
      closeSync(fd);
    }
  }
}

/** The file's bytes, or none when there is no file yet. */
function readIfPresent(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw auditError('AUDIT_LOG_UNREADABLE', `cannot read the audit log ${path}`, { path }, err);
  }
}

