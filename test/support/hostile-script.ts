/**
 * What a hostile coordinator is told to do: the JSON file that
 * test/support/hostile-coordinator-main.ts reads. It admits whoever joins,
 * and once released hands each organisation its scripted tasks in order.
 * The parts of a task that depend on who joined (the secure-aggregation
 * roster's identity keys and their proofs) are filled in when the task is
 * handed out, from the joins, with the substitutions the script asks for.
 * Byte values travel as hex so the file stays plain JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsFiles } from '../../common/pki';
import { repoRoot } from './repo-paths';

/** The coordinator script as `npm run build` compiles it. */
export const hostileCoordinatorScript = join(repoRoot, 'dist', 'test', 'support', 'hostile-coordinator-main.js');

export interface ProofJson {
  certificateHex: string;
  signatureHex: string;
}

/** What the coordinator sends for one roster member instead of what that member joined with. */
export interface RosterSubstitute {
  /** This raw Ed25519 key (hex) instead of the member's own. */
  identityKeyHex?: string;
  /** This proof instead of the member's own; 'omit' sends none. */
  proof?: ProofJson | 'omit';
  /** The key and proof another organisation joined with, under this member's name. */
  copiedFrom?: string;
}

export interface ScriptedSecure {
  /** SecureAggregationSettings without identity keys and proofs, as the proto's JSON form (camelCase). */
  settings: Record<string, unknown>;
  /** Who the roster names, in order. */
  roster: string[];
  substitutes?: Record<string, RosterSubstitute>;
}

export interface ScriptedTask {
  /** A TaskHeader in the proto's JSON form (camelCase; enums as names), without `secure` and `deadlineUnixMs`. */
  header: Record<string, unknown>;
  /** The contribution's deadline, counted from the moment the task is handed out. */
  deadlineInMs: number;
  secure?: ScriptedSecure;
  /** The global model as little-endian float32 bytes, hex; sent in chunks after the header. */
  modelHex?: string;
}

export interface HostileScript {
  jobId: string;
  /** The coordinator certificate for the job (role 'coordinator', orgId the job id) from the test's CA. */
  tls: TlsFiles;
  /** Tasks per organisation. An organisation that reported once per task (or has none) is told the job is over. */
  tasks: Record<string, ScriptedTask[]>;
  /** Hand out tasks as soon as an organisation asks, instead of waiting for SIGUSR2. */
  releaseAtOnce?: boolean;
  /** Tell each organisation the job is over right after its last task, for scripts whose tasks may succeed (a success sends no report). */
  finishAfterTasks?: boolean;
}

export function writeHostileScript(dir: string, script: HostileScript): string {
  const path = join(dir, `hostile-${script.jobId}.json`);
  writeFileSync(path, JSON.stringify(script));
  return path;
}

export function readHostileScript(path: string): HostileScript {
  return JSON.parse(readFileSync(path, 'utf8')) as HostileScript;
}

/** The lines the coordinator prints on stdout, one JSON object each. */
export type HostileEvent =
  | { event: 'ready'; port: number }
  | { event: 'joined'; orgId: string; identityKeyHex: string; proof: ProofJson | null }
  | { event: 'released' }
  | { event: 'delivered'; orgId: string; kind: string; collectionId: string }
  | { event: 'report'; orgId: string; collectionId: string; code: string; message: string };
