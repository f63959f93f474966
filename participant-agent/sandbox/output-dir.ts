/**
 * The trainer's output directory seen from the host: how much it holds, and
 * making sure that what the agent later reads there is a plain file the
 * trainer wrote, never a link to something else on the host.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Total bytes of the regular files under dir, not following links.
 * Infinity when part of it cannot be read: what cannot be measured is
 * treated as too large.
 */
export async function outputBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    return (err as { code?: string }).code === 'ENOENT' ? 0 : Infinity;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await outputBytes(path);
    } else if (entry.isFile()) {
      try {
        total += (await lstat(path)).size;
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') return Infinity;
      }
    }
    if (total === Infinity) return total;
  }
  return total;
}

/**
 * Removes every top-level entry that is not a regular file or directory
 * (symbolic links above all: result.json -> /etc/… would make the agent
 * read a host file). Returns the names removed. Call only once the trainer
 * has stopped.
 */
export async function removeNonRegularEntries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    if (entry.isFile() || entry.isDirectory()) continue;
    await unlink(join(dir, entry.name)).catch(() => undefined);
    removed.push(entry.name);
  }
  return removed;
}
