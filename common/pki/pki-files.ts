/**
 * The three ways the file-based authority writes: a new secret that must
 * not replace anything, a record that is replaced whole or not at all, and
 * an old file moved aside without clobbering an older one.
 */
import { existsSync, linkSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, hasCode } from '../errors';
import { writeFileAtomic } from '../atomic-file';
import { syncDirectory } from '../sync-directory';

/** Creates `path`; a ConfigError when it exists. The umask can only narrow `mode`, so 0600 stays 0600. */
export function writeNewFile(path: string, data: string, mode: number): void {
  try {
    writeFileSync(path, data, { flag: 'wx', mode });
  } catch (err) {
    if (hasCode(err, 'EEXIST')) throw new ConfigError(`${path} already exists; refusing to overwrite it`, { path }, err);
    throw err;
  }
  syncDirectory(dirname(path));
}

/** Replaces `path` atomically, so a crash leaves either the old content or the new, never half of each. */
export function replaceFile(path: string, data: string): void {
  writeFileAtomic(path, data, { mode: 0o644 });
}

/**
 * Renames `from` to `to` unless `to` exists. rename(2) would silently replace
 * `to`; a hard link fails instead, so an older key moved aside earlier is
 * never lost.
 */
export function moveAside(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (err) {
    if (hasCode(err, 'EEXIST')) throw new ConfigError(`${to} already exists; refusing to replace it while moving ${from} aside`, { path: to }, err);
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP'].some((code) => hasCode(err, code))) throw err;
    // Some file systems have no hard links; checking first is the best they allow.
    if (existsSync(to)) throw new ConfigError(`${to} already exists; refusing to replace it while moving ${from} aside`, { path: to });
    renameSync(from, to);
    syncDirectory(dirname(from));
    return;
  }
  unlinkSync(from);
  syncDirectory(dirname(from));
}
