/**
 * The facts a regulator checks first about one job: its state, how far it
 * got, who takes part now, the deadlines it runs under and how much privacy
 * budget it has spent.
 */
import type { JobDetail } from '../../api';
import { format } from '../shared/format';
import { StateBadge } from './state-badge';

export function JobOverview({ detail }: { detail: JobDetail }) {
  const { summary, deadlines, privacy } = detail;
  return (
    <section class="card">
      <div class="job-heading">
        <h2 class="card-title mono">{summary.jobId}</h2>
        <span class="muted">updated {format.time(summary.updatedAt)}</span>
      </div>
      {summary.problem !== null && <p class="warning">{summary.problem}</p>}
      <dl class="facts">
        <div>
          <dt>State</dt>
          <dd>
            <StateBadge state={summary.state} testId="job-state" />
          </dd>
        </div>
        <div>
          <dt>Round</dt>
          <dd class="fact-big num" data-testid="job-round">
            {summary.round}/{summary.rounds}
          </dd>
        </div>
        <div>
          <dt>Participants now</dt>
          <dd>
            <span class="fact-big num">{summary.participants.length}</span>
            {summary.participants.length > 0 && <span class="fact-note">{summary.participants.join(', ')}</span>}
          </dd>
        </div>
        <div>
          <dt>Deadlines</dt>
          <dd>
            {deadlines === null ? (
              <span class="muted">spec not readable</span>
            ) : (
              <>
                <span class="fact-line">round {format.duration(deadlines.roundSeconds)}</span>
                <span class="fact-line">admission {format.duration(deadlines.admissionSeconds)}</span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Secure aggregation</dt>
          <dd class={privacy.secureAggregation ? 'good' : ''}>{format.yesNo(privacy.secureAggregation)}</dd>
        </div>
        <div>
          <dt>Privacy (ε)</dt>
          <dd data-testid="privacy-spent">
            <PrivacySpent detail={detail} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function PrivacySpent({ detail }: { detail: JobDetail }) {
  const { epsilonSpent, epsilonBudget, delta } = detail.privacy;
  if (epsilonSpent === null && epsilonBudget === null) return <span class="muted">no differential privacy</span>;
  const over = epsilonSpent !== null && epsilonBudget !== null && epsilonSpent > epsilonBudget;
  return (
    <>
      <span class={over ? 'bad' : ''}>
        ε {format.epsilon(epsilonSpent)} {epsilonBudget === null ? 'spent (no budget)' : `of ${format.epsilon(epsilonBudget)}`}
      </span>
      {delta !== null && <span class="fact-note">δ {format.delta(delta)}</span>}
    </>
  );
}
