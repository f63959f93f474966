/**
 * What the hostile aggregator (hostile-aggregator-main.ts) and its
 * participants (hostile-aggregator-participant.ts) are told, as JSON files,
 * and the events the hostile aggregator prints, one JSON line each.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsFiles } from '../../common/pki';
import { repoRoot } from './repo-paths';
import type { SecAggParticipantJob } from './secagg-participant-job';

export const hostileAggregatorScript = join(repoRoot, 'dist', 'test', 'support', 'hostile-aggregator-main.js');
export const hostileParticipantScript = join(repoRoot, 'dist', 'test', 'support', 'hostile-aggregator-participant.js');

/** How the hostile aggregator runs one collection. Unnamed collections are run honestly. */
export interface HostileCollectionScript {
  /** Survivor set told to each named participant (the split attack); others get `survivors`. */
  survivorsFor?: Record<string, string[]>;
  /** One survivor set for everyone; default: everyone whose masked input arrived. */
  survivors?: string[];
  /** On the sparse ring: declare two runs of degree/2 consecutive members dropped, opposite each other. */
  splitRing?: boolean;
}

/** A participant that colludes with the aggregator: it runs inside the hostile process and hands over all it holds. */
export interface ColluderJson {
  orgId: string;
  identityPem: string;
}

export interface HostileAggregatorScript {
  jobId: string;
  /** The job's genuine aggregator certificate. */
  tls: TlsFiles;
  collections: Record<string, HostileCollectionScript>;
  colluders: ColluderJson[];
  /** How long a phase waits for the honest participants before it goes on with whoever answered. */
  phaseWaitMs: number;
}

/** What the hostile aggregator could reconstruct from everything it was sent and every colluder held. */
export interface Obtained {
  collectionId: string;
  /** Whose masked input it holds. */
  maskedInputs: string[];
  /** Who revealed shares in the unmasking. */
  revealedBy: string[];
  /** Honest participants whose self-mask seed it reconstructed (checked against their seed commitment). */
  seedsRecovered: string[];
  /** Honest participants whose masking key it reconstructed (checked against the advertised public key). */
  maskingKeysRecovered: string[];
  /** Honest participants with both secrets reconstructed: their masked input is open to the aggregator. */
  exposed: string[];
  /**
   * Candidate sets whose sum it can unmask: every survivor set it told, its
   * honest members alone, each connected part of one, and every single
   * honest participant. Only sums of candidates are checked, not every subset.
   */
  unmaskable: string[][];
  /** Size of the smallest unmaskable candidate, null when none. */
  smallestUnmaskable: number | null;
}

export type HostileAggregatorEvent =
  | { event: 'ready'; port: number }
  | { event: 'opened'; collectionId: string; expected: string[] }
  | { event: 'masked-input'; collectionId: string; orgId: string }
  | { event: 'survivors-told'; collectionId: string; orgId: string; survivors: string[] }
  | { event: 'revealed'; collectionId: string; orgId: string; shares: number }
  | ({ event: 'obtained' } & Obtained);

export function writeHostileAggregatorScript(dir: string, script: HostileAggregatorScript): string {
  const path = join(dir, `hostile-aggregator-${script.jobId}.json`);
  writeFileSync(path, JSON.stringify(script));
  return path;
}

export function readHostileAggregatorScript(path: string): HostileAggregatorScript {
  return JSON.parse(readFileSync(path, 'utf8')) as HostileAggregatorScript;
}

/** A participant's job: the scripted participant's, plus the agent's ledger and the liar's switch. */
export interface HostileParticipantJob extends Omit<SecAggParticipantJob, 'dieAfter' | 'trainingMs'> {
  /** Record the masked input in the agent's contribution ledger under this work dir, as (round, kind). */
  ledger?: { workDir: string; round: number; kind: string };
  /** A colluding participant: every share it reveals is wrong. */
  corruptRevealedShares?: boolean;
}

export function writeHostileParticipantJob(dir: string, job: HostileParticipantJob): string {
  const path = join(dir, `${job.collectionId}-${job.orgId}.json`);
  writeFileSync(path, JSON.stringify(job));
  return path;
}

export function readHostileParticipantJob(path: string): HostileParticipantJob {
  return JSON.parse(readFileSync(path, 'utf8')) as HostileParticipantJob;
}
