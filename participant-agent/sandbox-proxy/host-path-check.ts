/**
 * Whether a bind-mount source is inside the organisation's own folders, as
 * the engine will resolve it. The engine follows symbolic links on the host,
 * so a link the agent planted in its own folder (`work/x -> ../../bank-2`)
 * would otherwise pass a check on the string alone. Every component below
 * the allowed folder is therefore looked at with lstat, and none may be a
 * link; the proxy sees the folder at the same path as the host (compose
 * mounts it there read-only). The folder itself must not be a link either.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, sep } from 'node:path';

/** Null when the path may be mounted, else why not. */
export function hostPathProblem(source: string, allowedPaths: readonly string[]): string | null {
  if (!isAbsolute(source) || normalize(source) !== source || (source.length > 1 && source.endsWith(sep))) return `${JSON.stringify(source)} is not an absolute, normalised path`;
  const base = allowedPaths.find((allowed) => source === allowed || source.startsWith(`${allowed}${sep}`));
  if (base === undefined) return `${JSON.stringify(source)} is outside this organisation's folders (${allowedPaths.join(', ')})`;
  try {
    if (realpathSync(base) !== base) return `the allowed folder ${base} is itself reached through a symbolic link`;
    let current = base;
    for (const part of source.slice(base.length).split(sep).filter(Boolean)) {
      current = `${current}${sep}${part}`;
      const stats = lstatSync(current);
      if (stats.isSymbolicLink()) return `${current} is a symbolic link; the engine would follow it out of the organisation's folder`;
      if (current !== source && !stats.isDirectory()) return `${current} is not a folder`;
    }
    const last = lstatSync(source);
    if (!last.isFile() && !last.isDirectory()) return `${JSON.stringify(source)} is neither a regular file nor a folder`;
  } catch (err) {
    return `${JSON.stringify(source)} cannot be checked (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return null;
}
