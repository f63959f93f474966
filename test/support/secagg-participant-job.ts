/**
 * What one scripted secure-aggregation participant is told to do: the JSON
 * file that test/support/secagg-participant.ts reads. Settings travel with
 * identity keys as hex so the file stays plain JSON; the org's participant
 * certificate travels as the paths of its files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureCollectionSettings } from '../../common/grpc/secagg-codec';
import type { TlsFiles } from '../../common/pki';
import type { ContributionEncoding } from '../../common/secagg';
import type { SecureContributionPhase } from '../../participant-agent/secure-contribution';
import { repoRoot } from './repo-paths';

/** The participant script as `npm run build` compiles it. */
export const secaggParticipantScript = join(repoRoot, 'dist', 'test', 'support', 'secagg-participant.js');

/** The agent's steps, plus 'training': the pause between the key phases and sending the input. */
export type ParticipantStep = SecureContributionPhase | 'training';

export interface SecureSettingsJson {
  threshold: number;
  degree: number;
  /** orgId → raw Ed25519 public key, hex. */
  identityKeys: Record<string, string>;
  encoding: ContributionEncoding;
  encodedElementCount: number;
  phaseTimeoutMs: number;
}

export interface SecAggParticipantJob {
  aggregatorAddress: string;
  jobId: string;
  collectionId: string;
  orgId: string;
  /** PKCS#8 PEM of the org's Ed25519 identity. */
  identityPem: string;
  /** The org's own participant certificate (role 'participant', orgId this org) and the federation's CA. */
  tls: TlsFiles;
  settings: SecureSettingsJson;
  deadlineUnixMs: number;
  vector: number[];
  weight: number;
  /** A pause between the key phases and sending the input, as an agent's training would take (default 0). */
  trainingMs?: number;
  /** The fewest survivors the participant lets its input be unmasked with (default 0: its neighbourhood's threshold only). */
  minSurvivors?: number;
  /** The participant kills itself with SIGKILL as soon as it has completed this step. */
  dieAfter?: ParticipantStep;
}

export function settingsToJson(settings: SecureCollectionSettings): SecureSettingsJson {
  return {
    threshold: settings.threshold,
    degree: settings.degree,
    identityKeys: Object.fromEntries([...settings.identityKeys].map(([org, key]) => [org, Buffer.from(key).toString('hex')])),
    encoding: settings.encoding,
    encodedElementCount: settings.encodedElementCount,
    phaseTimeoutMs: settings.phaseTimeoutMs,
  };
}

export function settingsFromJson(json: SecureSettingsJson): SecureCollectionSettings {
  return {
    threshold: json.threshold,
    degree: json.degree,
    identityKeys: new Map(Object.entries(json.identityKeys).map(([org, hex]) => [org, new Uint8Array(Buffer.from(hex, 'hex'))])),
    encoding: json.encoding,
    encodedElementCount: json.encodedElementCount,
    phaseTimeoutMs: json.phaseTimeoutMs,
  };
}

export function writeParticipantJob(dir: string, job: SecAggParticipantJob): string {
  const path = join(dir, `${job.collectionId}-${job.orgId}.json`);
  writeFileSync(path, JSON.stringify(job));
  return path;
}

export function readParticipantJob(path: string): SecAggParticipantJob {
  return JSON.parse(readFileSync(path, 'utf8')) as SecAggParticipantJob;
}
