/**
 * The regulator console's codec: a job's folder (status.json, events.jsonl,
 * report.json, the job.yaml copy, the model folder) and its live events
 * turned into the JSON the browser reads (console/api.ts). Only what the
 * regulator may see: aggregate metrics, who joined, privacy spent, audit
 * heads; the model appears as its size and hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JobDetail, JobSummary, RoundPoint, TimelineEntry } from '../../console';
import type { JobEvent, JobReport, JobStatus, RoundMetrics } from '../../coordinator';
import { loadJobSpec, type JobSpec } from '../../common/job-spec';
import type { JobListing } from '../job-list';
import { readStatusFile } from '../job-status';

const metricsView = (m: RoundMetrics | null): RoundPoint['metrics'] => (m ? { loss: m.loss, accuracy: m.accuracy, auc: m.auc } : null);

export function summaryOf(jobId: string, status: JobStatus | undefined, problem: string | null, updatedAt?: string): JobSummary {
  return {
    jobId,
    state: status?.state ?? null,
    round: status?.round ?? 0,
    rounds: status?.rounds ?? 0,
    participants: status?.participants ?? [],
    latestMetrics: metricsView(status?.latestMetrics ?? null),
    updatedAt: status?.updatedAt ?? updatedAt ?? new Date(0).toISOString(),
    problem,
  };
}

export function listingSummary(listing: JobListing): JobSummary {
  return summaryOf(listing.jobId, listing.status ?? undefined, listing.problem && (listing.detail ? `${listing.problem}: ${listing.detail}` : listing.problem), listing.updatedAt);
}

export function roundPoint(event: JobEvent): RoundPoint | null {
  if (event.type !== 'round.completed') return null;
  return { round: event.round, metrics: metricsView(event.metrics), contributors: event.contributors, missing: event.missing, seconds: event.seconds, epsilonSpent: event.epsilonSpent };
}

const fmt = (n: number | null | undefined, digits = 4): string => (n === null || n === undefined ? 'n/a' : n.toFixed(digits));

/** One line per event, as the CLI's progress display words them. */
export function timelineEntry(event: JobEvent): TimelineEntry {
  const text = ((): string => {
    switch (event.type) {
      case 'job.started': return `started; invited ${event.invited.join(', ')}`;
      case 'job.admitted': return `admitted ${event.participants.join(', ') || 'nobody'}${event.declined.length ? `; declined: ${event.declined.map((d) => d.orgId).join(', ')}` : ''}`;
      case 'job.preprocessed': return `normalisation statistics from ${event.examples} examples`;
      case 'round.completed': return `round ${event.round}/${event.rounds}: loss ${fmt(event.metrics?.loss)}, auc ${fmt(event.metrics?.auc)}, accuracy ${fmt(event.metrics?.accuracy)} from ${event.contributors.length} organisation(s)${event.missing.length ? `; missing ${event.missing.join(', ')}` : ''}`;
      case 'job.budget-reached': return `privacy budget reached at round ${event.round}: ε ${fmt(event.epsilonSpent, 3)} of ${event.epsilonBudget}`;
      case 'participant.dropped': return `dropped ${event.orgId}: ${event.reason}`;
      case 'participant.rejoined': return `${event.orgId} rejoined`;
      case 'collection.retried': return `round ${event.round} ${event.kind} retried as ${event.collectionId}: ${event.reason}`;
      case 'job.resumed': return `coordinator restarted (start ${event.starts}); resumed from round ${event.fromRound}`;
      case 'job.completed': return `completed${event.metrics ? `: auc ${fmt(event.metrics.auc)}, accuracy ${fmt(event.metrics.accuracy)}` : ''}`;
      case 'job.failed': return `failed (${event.code}): ${event.message}`;
    }
  })();
  return { at: event.at, type: event.type, text };
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The job's events so far; a line cut short by a crash is skipped. */
export function readEvents(dir: string): JobEvent[] {
  const path = join(dir, 'events.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as JobEvent] : [];
    } catch {
      return [];
    }
  });
}

function readSpec(dir: string): JobSpec | undefined {
  try {
    return loadJobSpec(join(dir, 'job.yaml'));
  } catch {
    return undefined;
  }
}

/** Hashes already taken, by weights file: the page asks for a job's detail often, and a final model does not change. */
const modelHashes = new Map<string, { stamp: string; sha256: string }>();

function modelFacts(dir: string): { bytes: number; sha256: string } | null {
  const weights = join(dir, 'model', 'weights.bin');
  if (!existsSync(weights)) return null;
  const { size, mtimeMs } = statSync(weights);
  const stamp = `${size}:${mtimeMs}`;
  let known = modelHashes.get(weights);
  if (known?.stamp !== stamp) {
    known = { stamp, sha256: createHash('sha256').update(readFileSync(weights)).digest('hex') };
    modelHashes.set(weights, known);
  }
  return { bytes: size, sha256: known.sha256 };
}

export function jobDetail(dir: string, jobId: string): JobDetail {
  let status: JobStatus | undefined;
  let problem: string | null = null;
  try {
    status = readStatusFile(dir);
    if (!status) problem = 'no status yet';
  } catch (err) {
    problem = `status unreadable: ${(err as Error).message}`;
  }
  const events = readEvents(dir);
  const report = readJson<JobReport>(join(dir, 'report.json'));
  const spec = readSpec(dir);
  const of = <T extends JobEvent['type']>(type: T): Array<Extract<JobEvent, { type: T }>> => events.filter((e): e is Extract<JobEvent, { type: T }> => e.type === type);
  const admitted = of('job.admitted').at(-1);
  const rounds = events.length > 0 ? of('round.completed').map((e) => roundPoint(e) as RoundPoint) : (report?.perRound ?? []).map((r) => ({ round: r.round, metrics: metricsView(r.metrics), contributors: r.contributors, missing: r.missing, seconds: r.seconds, epsilonSpent: r.epsilonSpent }));
  const dropped = report?.participants.dropped ?? currentlyDropped(events);
  const dp = report?.privacy.differentialPrivacy ?? null;
  const model = report?.modelPath ? modelFacts(dir) : null;
  return {
    summary: summaryOf(jobId, status, problem),
    invited: report?.participants.invited ?? of('job.started').at(-1)?.invited ?? spec?.invitedOrgs ?? [],
    joined: report?.participants.admitted ?? admitted?.participants ?? [],
    declined: report?.participants.declined ?? admitted?.declined ?? [],
    dropped,
    decisions: (report?.participants.decisions ?? []).map((d) => ({ orgId: d.orgId, accepted: d.accepted, decidedBy: d.decidedBy ?? null, reason: d.reason })),
    rounds,
    timeline: events.map(timelineEntry),
    deadlines: spec ? { roundSeconds: spec.roundDeadlineSeconds, admissionSeconds: spec.admissionSeconds } : null,
    privacy: {
      secureAggregation: report?.privacy.secureAggregation.enabled ?? spec?.secureAggregation.enabled ?? null,
      epsilonSpent: dp?.epsilonSpent ?? rounds.at(-1)?.epsilonSpent ?? null,
      epsilonBudget: dp?.epsilonBudget ?? spec?.differentialPrivacy?.epsilon ?? null,
      delta: dp?.delta ?? spec?.differentialPrivacy?.delta ?? null,
    },
    outcome: report ? { status: report.status, error: report.error, finishedAt: report.finishedAt, wallSeconds: report.wallSeconds, finalMetrics: metricsView(report.finalMetrics), stoppedEarly: report.stoppedEarly } : null,
    auditHeads: (report?.audit.participantHeads ?? []).map(({ orgId, seq, hash }) => ({ orgId, seq, hash })),
    transcriptHead: report ? { ...report.audit.transcript.head, publicKey: report.audit.transcript.publicKey } : null,
    downloads: { report: report !== undefined, model: model !== null, modelBytes: model?.bytes ?? null, modelSha256: model?.sha256 ?? null },
  };
}

/** Organisations dropped and not back since, from the events of a job still running. */
function currentlyDropped(events: JobEvent[]): Array<{ orgId: string; reason: string }> {
  const dropped = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'participant.dropped') dropped.set(e.orgId, e.reason);
    if (e.type === 'participant.rejoined') dropped.delete(e.orgId);
  }
  return [...dropped].map(([orgId, reason]) => ({ orgId, reason }));
}
