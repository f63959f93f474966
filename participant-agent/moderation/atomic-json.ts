/**
 * JSON files shared between processes: a reader sees either nothing or a
 * whole file, and an exclusive write fails when the name is taken, so it
 * can arbitrate between two writers.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../../common/atomic-file';

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
  // The umask decides who may read: the agent and the person at the CLI are often different users.
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { exclusive });
}
