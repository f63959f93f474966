/**
 * The SHA-256 of every file an organisation keeps, to show that an attack
 * changed none of them. Files that legitimately grow (the audit log) are
 * held to their earlier prefix: what was written before may not change.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface RecordsSnapshot {
  /** Path → sha256 of its bytes ("dir" for a folder, "link:<target>" for a symlink). */
  files: Record<string, string>;
  /** Path → the length and sha256 of what it held. */
  growing: Record<string, { bytes: number; sha256: string }>;
}

export interface SnapshotOptions {
  /** Folders walked recursively, and single files. */
  roots: string[];
  /** Paths (files or folders) left out: what the agent may change freely, such as <workDir>/runs. */
  skip: string[];
  /** Files that may only grow. */
  growing: string[];
  /** Paths left out by pattern: transient files such as an atomic write's temporary (renamed over its target at once). */
  skipPattern?: RegExp;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function snapshotRecords(options: SnapshotOptions): RecordsSnapshot {
  const skip = new Set([...options.skip, ...options.growing].map((p) => resolve(p)));
  const files: Record<string, string> = {};
  const visit = (path: string): void => {
    if (skip.has(path) || options.skipPattern?.test(path) || !existsSync(path)) return;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      // Gone between the listing and now (a temporary renamed away): nothing kept there.
      return;
    }
    if (stat.isSymbolicLink()) {
      files[path] = `link:${readlinkSync(path)}`;
    } else if (stat.isDirectory()) {
      files[path] = 'dir';
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      files[path] = sha256(readFileSync(path));
    }
  };
  for (const root of options.roots) visit(resolve(root));
  const growing: RecordsSnapshot['growing'] = {};
  for (const path of options.growing) {
    const bytes = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    growing[resolve(path)] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  return { files, growing };
}

/** The growing files' prefixes as they are now, for comparison with an earlier snapshot's `growing`. */
export function prefixesNow(before: RecordsSnapshot): RecordsSnapshot['growing'] {
  const now: RecordsSnapshot['growing'] = {};
  for (const [path, { bytes }] of Object.entries(before.growing)) {
    const content = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    now[path] = { bytes: Math.min(bytes, content.length), sha256: sha256(content.subarray(0, bytes)) };
  }
  return now;
}
