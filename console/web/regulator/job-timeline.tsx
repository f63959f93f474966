/**
 * The job's events in words, newest first, as the coordinator published
 * them: the story of the job for someone who was not watching.
 */
import type { TimelineEntry } from '../../api';
import { format } from '../shared/format';

export function JobTimeline({ entries }: { entries: TimelineEntry[] }) {
  const newestFirst = [...entries].reverse();
  return (
    <section class="card">
      <h3 class="card-title">Timeline</h3>
      <ol class="timeline" data-testid="timeline">
        {newestFirst.length === 0 && <li class="muted">No events yet.</li>}
        {newestFirst.map((entry, i) => (
          <li key={`${entry.at}-${entry.type}-${newestFirst.length - i}`}>
            <time class="timeline-time num" dateTime={entry.at} title={entry.at}>
              {format.time(entry.at)}
            </time>
            <span class="timeline-type">{entry.type}</span>
            <span class="timeline-text">{entry.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
