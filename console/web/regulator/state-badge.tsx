/**
 * A job's state as a coloured pill: amber while it waits or prepares, blue
 * while it trains, green when completed, red when failed, grey when the
 * server could not read it.
 */
import type { JobState } from '../../api';

export function StateBadge({ state, testId }: { state: JobState | null; testId?: string }) {
  const name = state ?? 'unknown';
  return (
    <span class={`badge state-${name}`} data-testid={testId}>
      {name}
    </span>
  );
}
