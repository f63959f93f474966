/**
 * The trainer's output directory seen from the host: how much it holds (in
 * bytes and in entries), making sure that what the agent later reads there
 * is a plain file the trainer wrote, never a link to something else on the
 * host, and reading such a file without following a link planted meanwhile.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutputSize {
  bytes: number;
  /** Files, folders, links and the rest, at every depth. */
  entries: number;
}

/**
 * Total bytes of the regular files under dir and the number of entries,
 * not following links. Counting stops once `entryCap` is passed (the rest
 * of a huge tree need not be walked to know it is too big). Infinity for
 * both when part of it cannot be read: what cannot be measured is treated
 * as too large.
 */
export async function measureOutput(dir: string, entryCap = Infinity): Promise<OutputSize> {
  const size: OutputSize = { bytes: 0, entries: 0 };
  const unreadable = { bytes: Infinity, entries: Infinity };
  const walk = async (folder: string): Promise<boolean> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      return (err as { code?: string }).code === 'ENOENT';
    }
    for (const entry of entries) {
      size.entries++;
      if (size.entries > entryCap) return true;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!(await walk(path))) return false;
      } else if (entry.isFile()) {
        try {
          size.bytes += (await lstat(path)).size;
        } catch (err) {
          if ((err as { code?: string }).code !== 'ENOENT') return false;
        }
      }
    }
    return true;
  };
  return (await walk(dir)) ? size : unreadable;
}

/** Total bytes of the regular files under dir (see measureOutput). */
export async function outputBytes(dir: string): Promise<number> {
  return (await measureOutput(dir)).bytes;
}

/**
 * Removes every entry, at any depth, that is not a regular file with a
 * single link or a directory: symbolic links above all (result.json ->
 * /etc/… or -> the agent's audit log would make the agent read a host
 * file), and fifos, sockets, devices and hard links. Returns the paths
 * removed, relative to dir. Call only once the trainer has stopped.
 */
export async function removeNonRegularEntries(dir: string, prefix = ''): Promise<string[]> {
  const removed: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const name = prefix + entry.name;
    if (entry.isDirectory()) {
      removed.push(...(await removeNonRegularEntries(path, `${name}/`)));
      continue;
    }
    if (entry.isFile()) {
      const info = await lstat(path).catch(() => null);
      if (info && info.isFile() && info.nlink === 1) continue;
    }
    await unlink(path).catch(() => rm(path, { recursive: true, force: true }).catch(() => undefined));
    removed.push(name);
  }
  return removed;
}

/**
 * Reads one output file as it is, refusing (ELOOP, or a code naming the
 * kind) a symbolic link, a fifo, a device, a socket or a hard link, and
 * anything over maxBytes (EFBIG). The file is opened first and checked
 * through its descriptor, so it cannot be swapped between check and read.
 */
export function readOutputFile(path: string, maxBytes: number): Buffer {
  // O_NONBLOCK: opening a fifo must not wait for a writer.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
    if (info.nlink !== 1) throw Object.assign(new Error(`${path} has ${info.nlink} links`), { code: 'EMLINK' });
    if (info.size > maxBytes) throw Object.assign(new Error(`${path} holds ${info.size} bytes, more than ${maxBytes}`), { code: 'EFBIG' });
    const buffer = Buffer.alloc(info.size);
    let offset = 0;
    while (offset < info.size) {
      const read = readSync(fd, buffer, offset, info.size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}
