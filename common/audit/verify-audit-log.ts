/**
 * Checks an audit log and names what is wrong with it, line by line: each
 * line alone first (shape, hash, signature), then the chain through them
 * (audit-chain.ts), then, given a head the owner signed earlier, its end.
 */
import { readFileSync } from 'node:fs';
import { verifySignature } from '../secagg';
import { parsePublicKeyText, publicKeyText } from '../signing';
import { walkChain, type LineRecord, type Report } from './audit-chain';
import { auditError, entryHash, GENESIS_TYPE, parseEntryLine, signedBytes, type AuditEntry } from './audit-entry';

export type AuditProblemKind = 'malformed' | 'edited' | 'bad-signature' | 'missing' | 'reordered' | 'inserted' | 'broken-link' | 'wrong-key' | 'truncated' | 'no-genesis';

export interface AuditProblem {
  /** 1-based line in the file. */
  line: number;
  kind: AuditProblemKind;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Lines that hold a well-formed entry. */
  entries: number;
  owner: string | null;
  publicKey: string | null;
  /** The last entry in the file. */
  head: { seq: number; hash: string } | null;
  problems: AuditProblem[];
}

export interface VerifyAuditOptions {
  /** The key the log must be signed by, "ed25519:<base64>"; without it the key the log names is taken on trust. */
  publicKey?: string;
  /** A head the owner signed earlier; the only way to notice entries cut from the end. */
  expectedHead?: { seq: number; hash: string };
}

export function verifyAuditLog(text: string, options: VerifyAuditOptions = {}): AuditVerification {
  const problems: AuditProblem[] = [];
  const report = (line: number, kind: AuditProblemKind, message: string): void => {
    problems.push({ line, kind, message: `line ${line}: ${message}` });
  };
  const records = readLines(text, report);
  const genesis = findGenesis(records, report);
  const pinned = options.publicKey === undefined ? null : parsePublicKeyText(options.publicKey, 'pinned audit key');
  const { key, claimed } = signingKey(genesis?.entry ?? null, genesis?.line ?? 1, pinned, report);
  // Entry 0 is checked against the key it names even when that key is not trusted, so a broken genesis is reported.
  for (const record of records) record.damage = damageOf(record.entry, record === genesis ? key ?? claimed : key);
  walkChain(records, genesis !== null, report);
  if (options.expectedHead) checkExpectedHead(records, options.expectedHead, report);

  const entries = records.filter((record) => record.entry !== null);
  const last = entries[entries.length - 1]?.entry;
  const { owner, publicKey } = genesis?.entry.data ?? {};
  problems.sort((a, b) => a.line - b.line);
  return {
    ok: problems.length === 0,
    entries: entries.length,
    owner: typeof owner === 'string' ? owner : null,
    publicKey: typeof publicKey === 'string' ? publicKey : null,
    head: last ? { seq: last.seq, hash: last.hash } : null,
    problems,
  };
}

/** Reads and verifies the log at `path`; a missing file is an error, not an empty log. */
export function verifyAuditFile(path: string, options: VerifyAuditOptions = {}): AuditVerification {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw auditError(missing ? 'AUDIT_LOG_MISSING' : 'AUDIT_LOG_UNREADABLE', missing ? `there is no audit log at ${path}` : `cannot read the audit log ${path}`, { path }, err);
  }
  return verifyAuditLog(text, options);
}

function readLines(text: string, report: Report): LineRecord[] {
  const lines = text.split('\n');
  // The newline that ends the last entry leaves one empty string behind; it is not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((content, index) => {
    const line = index + 1;
    if (content.trim() === '') {
      report(line, 'malformed', 'blank line inside the log');
      return { line, entry: null };
    }
    const entry = parseEntryLine(content);
    if (typeof entry === 'string') {
      report(line, 'malformed', `not an audit entry: ${entry}`);
      return { line, entry: null };
    }
    return { line, entry };
  });
}

/**
 * Entry 0, wherever it is: one out of place is the chain walk's to report.
 * Without it the log names no key and has no start to check against.
 */
function findGenesis(records: LineRecord[], report: Report): (LineRecord & { entry: AuditEntry }) | null {
  const genesis = records.find((record): record is LineRecord & { entry: AuditEntry } => record.entry?.seq === 0);
  if (genesis === undefined) {
    const first = records.find((record) => record.entry !== null)?.entry;
    if (records.length === 0) report(1, 'no-genesis', 'the log is empty');
    // A first line that is not an entry at all is already reported, and may have been the genesis.
    else if (records[0].entry !== null) report(1, 'no-genesis', `the log has no entry 0 (${GENESIS_TYPE}); it starts at entry ${first!.seq}`);
    return null;
  }
  if (genesis.entry.type !== GENESIS_TYPE && entryHash(genesis.entry) === genesis.entry.hash) {
    report(genesis.line, 'no-genesis', `entry 0 is a ${JSON.stringify(genesis.entry.type)} entry, not ${GENESIS_TYPE}, so the log names no key`);
  }
  return genesis;
}

/**
 * The key to check signatures with. The log names its own key in entry 0,
 * trusted only if entry 0 signs itself with it; a pinned key wins, and a log
 * that names another (self-consistent) key is reported once and then checked
 * against its own key, so the rest of the report still means something.
 */
function signingKey(genesis: AuditEntry | null, line: number, pinned: Uint8Array | null, report: Report): { key: Uint8Array | null; claimed: Uint8Array | null } {
  const claimed = genesis ? readKey(genesis.data.publicKey) : null;
  if (genesis !== null && genesis.type === GENESIS_TYPE && claimed === null && entryHash(genesis) === genesis.hash) {
    report(line, 'malformed', 'entry 0 does not name a valid signing key ("ed25519:<base64>" in data.publicKey)');
  }
  const selfSigned = claimed !== null && genesis !== null && verifyEntrySignature(genesis, claimed);
  if (pinned === null) return { key: selfSigned ? claimed : null, claimed };
  if (selfSigned && !Buffer.from(claimed).equals(Buffer.from(pinned))) {
    report(line, 'wrong-key', `the log is signed by ${publicKeyText(claimed)}, not by the pinned key ${publicKeyText(pinned)}`);
    return { key: claimed, claimed };
  }
  return { key: pinned, claimed };
}

function readKey(text: unknown): Uint8Array | null {
  try {
    return typeof text === 'string' ? parsePublicKeyText(text) : null;
  } catch {
    return null;
  }
}

function verifyEntrySignature(entry: AuditEntry, key: Uint8Array): boolean {
  return verifySignature(key, signedBytes(entry.hash), Buffer.from(entry.signature, 'base64'));
}

/** Without a trusted key, signatures cannot be checked; the problem that left no key is already reported. */
function damageOf(entry: AuditEntry | null, key: Uint8Array | null): LineRecord['damage'] {
  if (entry === null) return undefined;
  if (entryHash(entry) !== entry.hash) return 'edited';
  if (key !== null && !verifyEntrySignature(entry, key)) return 'bad-signature';
  return undefined;
}

/**
 * Entries cut from the end leave an intact chain behind; only a head the
 * owner signed earlier shows them. A chain that reaches that head's seq with
 * another entry there was rewritten and re-signed after the head was given.
 */
function checkExpectedHead(records: LineRecord[], head: { seq: number; hash: string }, report: Report): void {
  const withEntries = records.filter((record) => record.entry !== null);
  const holders = withEntries.filter((record) => record.entry!.seq === head.seq);
  const holder = holders.find((record) => record.damage === undefined) ?? holders[0];
  if (holder === undefined) {
    const lastSeq = withEntries.reduce((max, record) => Math.max(max, record.entry!.seq), -1);
    if (lastSeq >= head.seq) return; // a gap, already reported as missing
    const which = head.seq === lastSeq + 1 ? `entry ${head.seq} is` : `entries ${lastSeq + 1}–${head.seq} are`;
    report(records.length + 1, 'truncated', `${which} gone from the end: the log stops at entry ${lastSeq}, but its signed head reached entry ${head.seq}`);
    return;
  }
  if (holder.damage !== undefined || holder.entry!.hash === head.hash) return;
  report(holder.line, 'edited', `entry ${head.seq} is not the one in the signed head (hash ${holder.entry!.hash.slice(0, 12)}…, the head says ${head.hash.slice(0, 12)}…): the log was rewritten after the head was given`);
}
