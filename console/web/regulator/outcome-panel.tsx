/**
 * How the job ended, from its report: completed or failed (with the error's
 * code and message), the final metrics, how long it ran, and whether it
 * stopped before its last planned round and why.
 */
import type { JobDetail } from '../../api';
import { format } from '../shared/format';

type Outcome = NonNullable<JobDetail['outcome']>;

export function OutcomePanel({ outcome }: { outcome: Outcome }) {
  const failed = outcome.status === 'failed';
  return (
    <section class={failed ? 'card outcome outcome-failed' : 'card outcome outcome-completed'} data-testid="job-outcome" data-status={outcome.status}>
      <div class="outcome-head">
        <h3 class="card-title">Outcome</h3>
        <span class={`badge state-${outcome.status}`}>{outcome.status}</span>
        <span class="muted">finished {format.time(outcome.finishedAt)}</span>
      </div>
      {outcome.error !== null && (
        <p class="outcome-error">
          <span class="mono">{outcome.error.code}</span> {outcome.error.message}
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Final loss</dt>
          <dd class="num">{format.metric(outcome.finalMetrics?.loss)}</dd>
        </div>
        <div>
          <dt>Final AUC</dt>
          <dd class="num">{format.metric(outcome.finalMetrics?.auc)}</dd>
        </div>
        <div>
          <dt>Final accuracy</dt>
          <dd class="num">{format.metric(outcome.finalMetrics?.accuracy)}</dd>
        </div>
        <div>
          <dt>Wall time</dt>
          <dd class="num">{format.duration(outcome.wallSeconds)}</dd>
        </div>
        <div>
          <dt>Stopped early</dt>
          <dd>{outcome.stoppedEarly ?? 'no'}</dd>
        </div>
      </dl>
    </section>
  );
}
