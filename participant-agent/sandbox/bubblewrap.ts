/**
 * Bubblewrap (`bwrap`) around the process sandbox, where it is installed and
 * works: the trainer then gets no network, its own PID/IPC/UTS namespaces,
 * and sees only the system libraries, the compiled trainer and its packages,
 * its task (read-only), the dataset (read-only) and its output folder. Still
 * weaker than the Docker sandbox: no memory, PID or output limits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let usable: boolean | undefined;

/** True if `bwrap` is installed and can create its namespaces here (checked once). */
export function bubblewrapUsable(): boolean {
  if (usable === undefined) {
    const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', process.execPath, '-e', ''], { stdio: 'ignore', timeout: 10_000 });
    usable = probe.status === 0;
  }
  return usable;
}

export interface BubblewrapMounts {
  /** The repository root holding dist/ and node_modules/. */
  root: string;
  /** The trainer's entry script (inside dist/ normally; bound on its own in case it is not). */
  script: string;
  dataPath: string;
  inputDir: string;
  outputDir: string;
}

/** The bwrap arguments that run `command` with only these mounts. */
export function bubblewrapArgs(mounts: BubblewrapMounts, command: string[]): string[] {
  const system = ['/usr', '/lib', '/lib64', '/bin', '/etc/ld.so.cache', '/etc/ssl', dirname(process.execPath)];
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp'];
  for (const path of system) args.push('--ro-bind-try', path, path);
  for (const path of [join(mounts.root, 'dist'), join(mounts.root, 'node_modules'), join(mounts.root, 'package.json')]) {
    if (existsSync(path)) args.push('--ro-bind', path, path);
  }
  args.push('--ro-bind', mounts.script, mounts.script, '--ro-bind', mounts.dataPath, mounts.dataPath, '--ro-bind', mounts.inputDir, mounts.inputDir, '--bind', mounts.outputDir, mounts.outputDir);
  return [...args, '--', ...command];
}
