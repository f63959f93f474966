/**
 * Folds one live job message into the job detail on screen: the summary is
 * replaced, the round point is added or replaced by its round number, and
 * the timeline entry is appended. Applying the same message twice changes
 * nothing, so messages that arrive while the detail is being fetched can be
 * replayed over the fetched copy safely.
 */
import type { JobDetail, LiveMessage, RoundPoint, TimelineEntry } from '../../api';

export type JobMessage = Extract<LiveMessage, { kind: 'job' }>;

function withRound(rounds: RoundPoint[], point: RoundPoint): RoundPoint[] {
  const others = rounds.filter((r) => r.round !== point.round);
  return [...others, point].sort((a, b) => a.round - b.round);
}

function sameEntry(a: TimelineEntry, b: TimelineEntry): boolean {
  return a.at === b.at && a.type === b.type && a.text === b.text;
}

export function applyJobMessage(detail: JobDetail, message: JobMessage): JobDetail {
  if (detail.summary.jobId !== message.jobId) return detail;
  const rounds = message.round ? withRound(detail.rounds, message.round) : detail.rounds;
  const known = detail.timeline.some((entry) => sameEntry(entry, message.entry));
  const timeline = known ? detail.timeline : [...detail.timeline, message.entry];
  return { ...detail, summary: message.summary, rounds, timeline };
}
