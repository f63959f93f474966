/**
 * JSON files shared between processes: a reader sees either nothing or a
 * whole file, and an exclusive write fails when the name is taken, so it
 * can arbitrate between two writers.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from '../../common/sync-directory';

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export function isTaken(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EEXIST';
}

/** Parsed JSON, or undefined when the file does not exist; other failures throw. */
export function readJson<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

export function removeIfPresent(path: string): void {
  rmSync(path, { force: true });
}

/** Names in `folder` ending in `suffix`, sorted, skipping the writers' temporary files; none when the folder does not exist. */
export function listEntries(folder: string, suffix = ''): string[] {
  try {
    return readdirSync(folder).filter((name) => !name.startsWith('.') && name.endsWith(suffix)).sort();
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}


/**
 * Writes `value` as JSON so readers see either nothing or the whole file.
 * exclusive: fails with EEXIST instead of replacing an existing file.
 */
export function writeJsonAtomic(path: string, value: unknown, exclusive = false): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  // A dot-name that ends in .tmp, so listings never mistake it for an entry.
  const tmp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // The umask decides who may read: the agent and the person at the CLI are often different users.
  const fd = openSync(tmp, 'wx', 0o666);
  try {
    try {
      // writeFileSync on a descriptor loops until every byte is written.
      writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (exclusive) linkSync(tmp, path);
    else renameSync(tmp, path);
  } finally {
    removeIfPresent(tmp);
  }
  syncDirectory(folder);
}
