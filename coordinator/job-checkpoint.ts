/**
 * The coordinator's checkpoints: after preprocessing (round 0) and after
 * every round, one folder `checkpoints/round-NNNN` holding the global model
 * (weights.bin, float32 little-endian, described by checkpoint.json), the
 * server optimizer's state (strategy.bin) and everything else a restarted
 * coordinator needs to resume the job where it stood (state.json).
 *
 * A checkpoint is written into `<name>.partial`, every file flushed, then
 * the folder renamed: a crash or a full disk leaves either the whole new
 * checkpoint or none, never half of one. Loading checks sizes and hashes,
 * and falls back to an older checkpoint when the newest is damaged.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256Hex } from '../common/signing';
import { errorMessage } from '../common/errors';
import { syncDirectory } from '../common/sync-directory';
import type { JobSpec } from '../common/job-spec';
import { CoordinatorError } from './errors';
import type { ParticipantSnapshot } from './participant-registry';
import type { StrategyState } from './strategies';
import type { TranscriptSnapshot } from './job-transcript';

/** How many complete checkpoints are kept; older ones are removed. */
export const CHECKPOINTS_KEPT = 3;
const CHECKPOINT_NAME = /^round-(\d{4,})$/;

export interface Normalization {
  mean: number[];
  std: number[];
}

/** Who is in the job and what happened so far: everything but the tensors. */
export interface JobProgress {
  participants: ParticipantSnapshot[];
  /** Invited organisations that did not join, with why. */
  declined: Array<{ orgId: string; reason: string }>;
  /** Who was admitted when admission closed (the privacy plan is calibrated on it). */
  admitted: string[];
  /** The report's per-round records so far (opaque here). */
  rounds: unknown[];
  transcript: TranscriptSnapshot;
}

export interface JobCheckpoint {
  /** Rounds completed; 0 is the checkpoint after admission and preprocessing. */
  round: number;
  weights: Float32Array;
  tensors: Array<{ name: string; shape: number[] }>;
  normalization: Normalization | null;
  strategy: StrategyState;
  progress: JobProgress;
}

/** The fingerprint of a spec: a checkpoint resumes only the job it was written for. */
export function specFingerprint(spec: JobSpec): string {
  return sha256Hex(canonicalJson(spec));
}

function checkpointName(round: number): string {
  return `round-${String(round).padStart(4, '0')}`;
}

/** Writes one file and flushes it, so the folder rename below publishes complete files only. */
function writeDurably(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function bytesOf(vector: Float32Array | Float64Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export class CheckpointStore {
  readonly directory: string;

  /** `resume`: keep the checkpoints found; otherwise a job run again into the same folder moves an earlier run's aside. */
  constructor(outDir: string, private readonly spec: JobSpec, resume: boolean) {
    this.directory = join(outDir, 'checkpoints');
    if (!resume && existsSync(this.directory) && readdirSync(this.directory).length > 0) renameSync(this.directory, `${this.directory}.${Date.now()}`);
    mkdirSync(this.directory, { recursive: true });
  }

  /** Complete checkpoints, newest first. */
  rounds(): number[] {
    return readdirSync(this.directory)
      .map((name) => CHECKPOINT_NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => b - a);
  }

  /**
   * Writes the checkpoint of `checkpoint.round` atomically and prunes old
   * ones. Throws CHECKPOINT_FAILED (naming the folder and the system's
   * reason, e.g. ENOSPC) with nothing partial left behind.
   */
  write(checkpoint: JobCheckpoint): string {
    const name = checkpointName(checkpoint.round);
    const target = join(this.directory, name);
    const staging = `${target}.partial`;
    try {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true, mode: 0o700 });
      const weights = bytesOf(checkpoint.weights);
      writeDurably(join(staging, 'weights.bin'), weights);
      const strategyNames = Object.keys(checkpoint.strategy).sort();
      const strategyBytes = Buffer.concat(strategyNames.map((key) => bytesOf(checkpoint.strategy[key])));
      writeDurably(join(staging, 'strategy.bin'), strategyBytes);
      const state = JSON.stringify(checkpoint.progress);
      writeDurably(join(staging, 'state.json'), state);
      const manifest = {
        jobId: this.spec.jobId,
        specSha256: specFingerprint(this.spec),
        round: checkpoint.round,
        parameters: checkpoint.weights.length,
        tensors: checkpoint.tensors,
        normalization: checkpoint.normalization,
        dtype: 'float32',
        byteOrder: 'little-endian',
        weightsSha256: sha256Hex(weights),
        strategy: strategyNames.map((key) => ({ name: key, elements: checkpoint.strategy[key].length, dtype: 'float64' })),
        strategySha256: sha256Hex(strategyBytes),
        stateSha256: sha256Hex(state),
      };
      writeDurably(join(staging, 'checkpoint.json'), JSON.stringify(manifest, null, 2));
      syncDirectory(staging);
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      syncDirectory(this.directory);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      const previous = this.rounds()[0];
      const code = (err as NodeJS.ErrnoException).code;
      throw new CoordinatorError(
        'CHECKPOINT_FAILED',
        `could not write the checkpoint of round ${checkpoint.round} to ${target}: ${errorMessage(err)}; ${previous === undefined ? 'no earlier checkpoint exists' : `the last complete checkpoint is round ${previous}`}`,
        { path: target, errno: code ?? null, lastComplete: previous ?? null },
        err,
      );
    }
    for (const old of this.rounds().slice(CHECKPOINTS_KEPT)) rmSync(join(this.directory, checkpointName(old)), { recursive: true, force: true });
    return target;
  }

  /**
   * The newest checkpoint of this job that reads back whole, or null when
   * there is none. Damaged or foreign ones are skipped; `skipped` says why.
   */
  latest(): { checkpoint: JobCheckpoint | null; skipped: Array<{ round: number; reason: string }> } {
    const skipped: Array<{ round: number; reason: string }> = [];
    for (const round of this.rounds()) {
      try {
        return { checkpoint: this.read(round), skipped };
      } catch (err) {
        skipped.push({ round, reason: errorMessage(err) });
      }
    }
    return { checkpoint: null, skipped };
  }

  private read(round: number): JobCheckpoint {
    const folder = join(this.directory, checkpointName(round));
    const invalid = (why: string): CoordinatorError => new CoordinatorError('CHECKPOINT_INVALID', `checkpoint ${folder}: ${why}`, { path: folder });
    for (const file of ['checkpoint.json', 'weights.bin', 'strategy.bin', 'state.json']) if (!existsSync(join(folder, file))) throw invalid(`${file} is missing`);
    const manifest = JSON.parse(readFileSync(join(folder, 'checkpoint.json'), 'utf8')) as {
      jobId: string;
      specSha256: string;
      round: number;
      parameters: number;
      tensors: JobCheckpoint['tensors'];
      normalization: Normalization | null;
      weightsSha256: string;
      strategy: Array<{ name: string; elements: number }>;
      strategySha256: string;
      stateSha256: string;
    };
    if (manifest.jobId !== this.spec.jobId) throw invalid(`it belongs to job ${manifest.jobId}`);
    if (manifest.specSha256 !== specFingerprint(this.spec)) throw invalid('it was written for a different job spec');
    if (manifest.round !== round) throw invalid(`it says round ${manifest.round}`);
    const weightBytes = readFileSync(join(folder, 'weights.bin'));
    if (weightBytes.length !== manifest.parameters * 4 || sha256Hex(weightBytes) !== manifest.weightsSha256) throw invalid('weights.bin does not match its size or hash');
    const strategyBytes = readFileSync(join(folder, 'strategy.bin'));
    if (sha256Hex(strategyBytes) !== manifest.strategySha256) throw invalid('strategy.bin does not match its hash');
    const stateBytes = readFileSync(join(folder, 'state.json'));
    if (sha256Hex(stateBytes) !== manifest.stateSha256) throw invalid('state.json does not match its hash');
    const weights = new Float32Array(manifest.parameters);
    Buffer.from(weights.buffer).set(weightBytes);
    const strategy: StrategyState = {};
    let offset = 0;
    for (const entry of manifest.strategy) {
      const vector = new Float64Array(entry.elements);
      const bytes = entry.elements * 8;
      if (offset + bytes > strategyBytes.length) throw invalid(`strategy.bin is too short for ${entry.name}`);
      Buffer.from(vector.buffer).set(strategyBytes.subarray(offset, offset + bytes));
      strategy[entry.name] = vector;
      offset += bytes;
    }
    return { round, weights, tensors: manifest.tensors, normalization: manifest.normalization, strategy, progress: JSON.parse(stateBytes.toString('utf8')) as JobProgress };
  }
}
