/**
 * Where the agent writes trainer tasks and reads trainer outputs:
 *
 *   <workDir>/runs/<sha256(jobId), 32 hex>/<collectionId>/in    the task and the global model
 *   <workDir>/runs/<sha256(jobId), 32 hex>/<collectionId>/out   what the trainer wrote
 *
 * The job's folder is named by a hash, so no job id, however chosen, can name
 * one of the organisation's records (audit log, privacy ledger, identity key,
 * moderation queue), which stay at the top of workDir, outside runs/. The
 * collection id comes from the coordinator, so it is checked against the
 * identifier pattern, and every path is resolved and checked to stay inside
 * its root, through no symbolic link, before anything is created, changed or
 * removed there.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ShoalError } from '../common/errors';
import { checkIdentifier } from '../common/ids';

export const RUNS_FOLDER = 'runs';

export interface RunFolder {
  runDir: string;
  inputDir: string;
  outputDir: string;
}

function unsafePath(message: string, details: Record<string, unknown>): ShoalError {
  return new ShoalError('RUN_FOLDER_UNSAFE', message, { component: 'participant-agent', details });
}

/** The name of a job's folder under runs/: the same for the same job id, never a name a person or the agent gives anything else. */
export function jobFolderName(jobId: string): string {
  return createHash('sha256').update(jobId, 'utf8').digest('hex').slice(0, 32);
}

/**
 * `root` joined with `parts`, resolved, after checking that the result lies
 * strictly inside root and that no part of it that exists already is a
 * symbolic link (or not a folder, for every part but the last). Root itself
 * is the organisation's choice and is trusted as it is.
 */
export function pathInside(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const target = resolve(base, ...parts);
  const rel = relative(base, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw unsafePath(`${JSON.stringify(parts.join('/'))} does not name a place inside ${base}`, { root: base });
  }
  const steps = rel.split(sep);
  let current = base;
  for (let i = 0; i < steps.length; i++) {
    current = join(current, steps[i]);
    let stat;
    try {
      stat = lstatSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break; // Nothing further down exists yet, so nothing there can be a link.
      throw unsafePath(`cannot inspect ${current}`, { path: current });
    }
    if (stat.isSymbolicLink()) throw unsafePath(`${current} is a symbolic link; run folders must be plain folders inside ${base}`, { path: current });
    if (i < steps.length - 1 && !stat.isDirectory()) throw unsafePath(`${current} is not a folder`, { path: current });
  }
  return target;
}

/** The folder holding every run of one job: the only thing per-job cleanup removes. */
export function jobRunsFolder(workDir: string, jobId: string): string {
  return pathInside(workDir, RUNS_FOLDER, jobFolderName(jobId));
}

/**
 * A fresh, empty run folder for one collection of a job, with its in/ and
 * out/ folders. Whatever an earlier attempt left there is removed first.
 * Throws INVALID_IDENTIFIER for a collection id that is not an identifier,
 * RUN_FOLDER_UNSAFE when the path would leave workDir/runs or pass a link.
 */
export function prepareRunFolder(workDir: string, jobId: string, collectionId: string): RunFolder {
  checkIdentifier('collection', collectionId);
  const jobDir = jobRunsFolder(workDir, jobId);
  const runDir = pathInside(jobDir, collectionId);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(jobDir, { recursive: true, mode: 0o700 });
  // Checked again once the parents exist: mkdir follows a link that appeared meanwhile.
  pathInside(jobDir, collectionId);
  mkdirSync(runDir, { mode: 0o700 });
  const inputDir = pathInside(runDir, 'in');
  const outputDir = pathInside(runDir, 'out');
  mkdirSync(inputDir);
  mkdirSync(outputDir);
  return { runDir, inputDir, outputDir };
}

/** Removes one run folder (after its run); refuses a path that is not a run folder of this job. */
export function removeRunFolder(workDir: string, jobId: string, runDir: string): void {
  const jobDir = jobRunsFolder(workDir, jobId);
  const rel = relative(jobDir, resolve(runDir));
  rmSync(pathInside(jobDir, checkIdentifier('collection', rel)), { recursive: true, force: true });
}

/** Removes every run folder of one job, and nothing else. */
export function removeJobRuns(workDir: string, jobId: string): void {
  rmSync(jobRunsFolder(workDir, jobId), { recursive: true, force: true });
}

/**
 * Refuses a folder that is not a plain folder (a symbolic link above all)
 * before something changes its mode: chmod follows links, and would widen
 * whatever a link points at.
 */
export function assertPlainFolder(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    throw unsafePath(`${path} does not exist`, { path });
  }
  if (!stat.isDirectory()) throw unsafePath(`${path} is not a plain folder${stat.isSymbolicLink() ? ' (it is a symbolic link)' : ''}`, { path });
}
