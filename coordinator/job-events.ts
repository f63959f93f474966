/**
 * Job and round events: published on the bus for the regulator's CLI and
 * console, mirrored into <out>/status.json so `shoal job status` works after
 * the coordinator has gone, and appended to <out>/events.jsonl so the
 * console can draw a job's history when it opens mid-job. Events carry
 * aggregate metrics only.
 */
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bus } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';

export interface RoundMetrics {
  examples: number;
  loss: number;
  accuracy: number | null;
  auc: number | null;
}

export type JobEvent =
  | { type: 'job.started'; jobId: string; at: string; invited: string[]; coordinator: string; aggregator: string }
  | { type: 'job.admitted'; jobId: string; at: string; participants: string[]; declined: Array<{ orgId: string; reason: string }> }
  | { type: 'job.preprocessed'; jobId: string; at: string; examples: number }
  | { type: 'round.completed'; jobId: string; at: string; round: number; rounds: number; contributors: string[]; missing: string[]; trainingExamples: number; metrics: RoundMetrics | null; seconds: number; epsilonSpent: number | null; skipped?: { reason: string; alreadyContributed: string[] } }
  | { type: 'job.budget-reached'; jobId: string; at: string; round: number; epsilonSpent: number; epsilonBudget: number }
  | { type: 'participant.dropped'; jobId: string; at: string; orgId: string; reason: string }
  | { type: 'participant.rejoined'; jobId: string; at: string; orgId: string }
  | { type: 'collection.retried'; jobId: string; at: string; round: number; kind: string; collectionId: string; attempt: number; reason: string }
  | { type: 'job.resumed'; jobId: string; at: string; fromRound: number; starts: number }
  | { type: 'job.completed'; jobId: string; at: string; reportPath: string; modelPath: string; metrics: RoundMetrics | null }
  | { type: 'job.failed'; jobId: string; at: string; code: string; message: string; reportPath: string };

export type JobEventType = JobEvent['type'];

/** A statement of fact about the job as of its latest event, for `shoal job status`. */
export interface JobStatus {
  jobId: string;
  state: 'admitting' | 'preprocessing' | 'training' | 'completed' | 'failed';
  round: number;
  rounds: number;
  participants: string[];
  latestMetrics: RoundMetrics | null;
  updatedAt: string;
  lastEvent: JobEvent | null;
  outDir: string;
}

export class JobEventPublisher {
  readonly status: JobStatus;

  constructor(private readonly bus: Bus, jobId: string, rounds: number, private readonly outDir: string) {
    this.status = { jobId, state: 'admitting', round: 0, rounds, participants: [], latestMetrics: null, updatedAt: new Date().toISOString(), lastEvent: null, outDir };
  }

  /**
   * Nothing after the job's outcome: work a cancellation left behind may
   * still end later, and must not turn the final status back to training.
   */
  publish(event: JobEvent): void {
    if (this.status.state === 'completed' || this.status.state === 'failed') return;
    applyJobEvent(this.status, event);
    this.bus.publish(subjects.events(event.jobId), event);
    const file = join(this.outDir, 'status.json');
    // Both files are convenience copies for the CLI and the console; on a full disk the bus still carried the event.
    try {
      appendFileSync(join(this.outDir, 'events.jsonl'), `${JSON.stringify(event)}\n`);
    } catch {
      // The console then draws the history from the events it receives live.
    }
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.status, null, 2));
      renameSync(`${file}.tmp`, file);
    } catch {
      rmSync(`${file}.tmp`, { force: true });
    }
  }
}

/** What an event changes in a job's status; the console follows jobs with the same rules. */
export function applyJobEvent(s: JobStatus, event: JobEvent): void {
  s.updatedAt = event.at;
  s.lastEvent = event;
  if (event.type === 'job.admitted') [s.state, s.participants] = ['preprocessing', event.participants];
  if (event.type === 'job.preprocessed') s.state = 'training';
  if (event.type === 'round.completed') [s.state, s.round, s.rounds, s.latestMetrics] = ['training', event.round, event.rounds, event.metrics ?? s.latestMetrics];
  if (event.type === 'participant.dropped') s.participants = s.participants.filter((p) => p !== event.orgId);
  if (event.type === 'participant.rejoined' && !s.participants.includes(event.orgId)) s.participants = [...s.participants, event.orgId].sort();
  if (event.type === 'job.resumed') [s.state, s.round] = ['training', event.fromRound];
  if (event.type === 'job.completed') s.state = 'completed';
  if (event.type === 'job.failed') s.state = 'failed';
}
