/**
 * Job specs for the integration tests, based on the credit-default example
 * with the settings a test needs changed. `writeJobDocument` writes any
 * document as it is, valid or not.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { compileJobSpec, type JobSpec } from '../../common/job-spec';
import { creditDefault } from './repo-paths';

export interface TestJobSettings {
  jobId: string;
  invitedOrgs: string[];
  rounds: number;
  localEpochs: number;
  roundDeadlineSeconds: number;
  minParticipants?: number;
  admissionSeconds?: number;
  requester?: string;
  maxMissedRounds?: number;
  /** Overrides of the spec's secureAggregation section (on by default). */
  secureAggregation?: Record<string, unknown>;
}

export type JobDocument = Record<string, unknown> & { training: Record<string, unknown> };

/** The example spec as a plain document. */
export function exampleJobDocument(): JobDocument {
  return parse(readFileSync(creditDefault.jobSpec, 'utf8')) as JobDocument;
}

export function writeJobDocument(dir: string, name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(document));
  return path;
}

export function writeJobSpec(dir: string, settings: TestJobSettings): { path: string; spec: JobSpec } {
  const base = exampleJobDocument();
  const document = {
    ...base,
    jobId: settings.jobId,
    requester: settings.requester ?? base.requester,
    invitedOrgs: settings.invitedOrgs,
    minParticipants: settings.minParticipants ?? 2,
    admissionSeconds: settings.admissionSeconds ?? 20,
    roundDeadlineSeconds: settings.roundDeadlineSeconds,
    training: { ...base.training, rounds: settings.rounds, localEpochs: settings.localEpochs },
    ...(settings.secureAggregation ? { secureAggregation: settings.secureAggregation } : {}),
    ...(settings.maxMissedRounds ? { maxMissedRounds: settings.maxMissedRounds } : {}),
  };
  const spec = compileJobSpec(document);
  return { path: writeJobDocument(dir, `${settings.jobId}.yaml`, document), spec };
}

/** A job id no earlier run used, so jobs never share subjects or output folders. */
export function uniqueJobId(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}
