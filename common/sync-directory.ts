import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * Makes a new file's or a rename's directory entry durable. Best effort:
 * some file systems refuse to open a directory; the write or rename has
 * happened either way, only its durability across a power loss is not assured.
 */
export function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // See above.
  }
}
