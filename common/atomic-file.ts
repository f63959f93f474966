/**
 * Writing a file so that a crash or a concurrent reader sees either nothing
 * (or the old content) or the whole new content: a uniquely named temporary
 * file in the same folder, flushed to disk, then renamed over the target, or
 * hard-linked to it when the write must not replace an existing file (which
 * lets two writers arbitrate: the second gets EEXIST).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from './sync-directory';

export interface AtomicWriteOptions {
  /** Permission bits of a new file (the umask narrows them); default 0o666. */
  mode?: number;
  /** Fail with EEXIST instead of replacing an existing file. */
  exclusive?: boolean;
}

export function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  // A dot-name ending in .tmp, so folder listings never mistake it for an entry.
  const tmp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', options.mode ?? 0o666);
  try {
    try {
      // writeFileSync on a descriptor loops until every byte is written.
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) linkSync(tmp, path);
    else renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  syncDirectory(folder);
}
