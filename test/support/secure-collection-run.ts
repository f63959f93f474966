/**
 * One secure collection at a real aggregator process, with one scripted
 * participant process per org (test/support/secagg-participant.ts): opens
 * the collection as the coordinator would, starts the participants, collects
 * the aggregate, and reports how each participant ended and what it printed.
 */
import type { AggregatorClient, CollectedAggregate } from '../../aggregator';
import { settingsToWire, type SecureCollectionSettings } from '../../common/grpc/secagg-codec';
import type { TlsFiles } from '../../common/pki';
import { encodedLength, type ContributionEncoding } from '../../common/secagg';
import type { ProcessTracker } from './process-tracker';
import { secaggParticipantScript, settingsToJson, writeParticipantJob, type ParticipantStep } from './secagg-participant-job';
import type { ExitStatus } from './spawned-process';

/** An org's long-term identity as its agent would hold it. */
export interface OrgIdentity {
  privateKeyPem: string;
  publicKey: Uint8Array;
}

export interface CohortMember {
  orgId: string;
  vector: number[];
  weight: number;
  trainingMs?: number;
  dieAfter?: ParticipantStep;
}

export interface SecureCollectionPlan {
  collectionId: string;
  members: CohortMember[];
  threshold: number;
  minContributors: number;
  /** 'quantized' takes its cohort size from the members. */
  encoding: { kind: 'exact' } | { kind: 'quantized'; clippingRange: number; maxWeight: number };
  phaseTimeoutMs: number;
  /** From the moment the collection is opened. */
  deadlineMs: number;
}

export interface SecureCollectionEnv {
  tracker: ProcessTracker;
  /** Holds the job's coordinator certificate: it opens and collects. */
  client: AggregatorClient;
  aggregatorAddress: string;
  jobId: string;
  dir: string;
  identities: ReadonlyMap<string, OrgIdentity>;
  /** Each org's own participant certificate files, handed to its process. */
  participantTls: ReadonlyMap<string, TlsFiles>;
}

export interface ParticipantOutcome {
  exit: ExitStatus;
  /** The steps it printed as completed, in order. */
  phases: string[];
  done: boolean;
  /** What it printed on stderr when it failed. */
  error?: { code: string; message: string };
}

export interface SecureCollectionOutcome {
  /** Exactly one of aggregate and error is set. */
  aggregate?: CollectedAggregate;
  error?: { code: string; message: string };
  /** From opening the collection to collect() returning or failing. */
  collectMs: number;
  participants: Map<string, ParticipantOutcome>;
}

const PARTICIPANT_EXIT_MS = 30_000;
const COLLECT_MARGIN_MS = 10_000;

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function settingsFor(plan: SecureCollectionPlan, identities: ReadonlyMap<string, OrgIdentity>): SecureCollectionSettings {
  const orgs = plan.members.map((m) => m.orgId);
  const encoding: ContributionEncoding = plan.encoding.kind === 'exact' ? { kind: 'exact' } : { ...plan.encoding, cohortSize: orgs.length };
  const keys = orgs.map((org): [string, Uint8Array] => {
    const identity = identities.get(org);
    if (!identity) throw new Error(`no identity for ${org}`);
    return [org, identity.publicKey];
  });
  return {
    threshold: plan.threshold,
    // The complete graph: every member is every other member's neighbour.
    degree: orgs.length - 1,
    identityKeys: new Map(keys),
    encoding,
    encodedElementCount: encodedLength(encoding, plan.members[0].vector.length),
    phaseTimeoutMs: plan.phaseTimeoutMs,
  };
}

/** Each member's own participant certificate, checked before the collection opens. */
function participantCertificates(plan: SecureCollectionPlan, participantTls: ReadonlyMap<string, TlsFiles>): Map<string, TlsFiles> {
  return new Map(
    plan.members.map(({ orgId }): [string, TlsFiles] => {
      const files = participantTls.get(orgId);
      if (!files) throw new Error(`no participant certificate for ${orgId}`);
      return [orgId, files];
    }),
  );
}

export async function runSecureCollection(env: SecureCollectionEnv, plan: SecureCollectionPlan): Promise<SecureCollectionOutcome> {
  const { client, jobId } = env;
  const settings = settingsFor(plan, env.identities);
  const certificates = participantCertificates(plan, env.participantTls);
  const opened = Date.now();
  const deadlineUnixMs = opened + plan.deadlineMs;
  await client.openCollection(
    {
      jobId,
      collectionId: plan.collectionId,
      expectedOrgs: plan.members.map((m) => m.orgId),
      minContributors: plan.minContributors,
      elementCount: plan.members[0].vector.length,
      dtype: 'DTYPE_FLOAT64',
      deadlineUnixMs,
      secure: settingsToWire(settings),
    },
    10_000,
  );
  const collected = client.collect(jobId, plan.collectionId, plan.deadlineMs + COLLECT_MARGIN_MS).then(
    (aggregate) => ({ aggregate, collectMs: Date.now() - opened }),
    (err: { code?: string; message?: string }) => ({ error: { code: String(err.code), message: String(err.message) }, collectMs: Date.now() - opened }),
  );
  const processes = plan.members.map((member) => {
    const identity = env.identities.get(member.orgId) as OrgIdentity;
    const jobPath = writeParticipantJob(env.dir, {
      aggregatorAddress: env.aggregatorAddress,
      jobId,
      collectionId: plan.collectionId,
      orgId: member.orgId,
      identityPem: identity.privateKeyPem,
      tls: certificates.get(member.orgId) as TlsFiles,
      settings: settingsToJson(settings),
      deadlineUnixMs,
      vector: member.vector,
      weight: member.weight,
      trainingMs: member.trainingMs,
      dieAfter: member.dieAfter,
    });
    return { orgId: member.orgId, process: env.tracker.spawnNode(`participant ${member.orgId}`, secaggParticipantScript, [jobPath]) };
  });
  const settled = await collected;
  const participants = new Map<string, ParticipantOutcome>();
  for (const { orgId, process } of processes) {
    const exit = await process.waitForExit(PARTICIPANT_EXIT_MS);
    const out = jsonLines(process.stdout);
    const failure = jsonLines(process.stderr).find((line) => typeof line.code === 'string');
    participants.set(orgId, {
      exit,
      phases: out.filter((line) => typeof line.phase === 'string').map((line) => line.phase as string),
      done: out.some((line) => line.done === true),
      error: failure ? { code: failure.code as string, message: String(failure.message) } : undefined,
    });
  }
  return { ...settled, participants };
}
