/**
 * How much of each dataset's privacy budget the organisation has spent, and
 * on which jobs. A bar when the policy sets a budget; the plain spend and
 * "no budget set" when it does not, because then nothing stops the spending.
 */
import type { DatasetBudget } from '../../api';
import { format } from '../shared/format';

function levelOf(fraction: number): 'ok' | 'near' | 'over' {
  if (fraction >= 1) return 'over';
  return fraction >= 0.7 ? 'near' : 'ok';
}

function BudgetRow({ budget }: { budget: DatasetBudget }) {
  const fraction = budget.epsilonBudget !== null && budget.epsilonBudget > 0 ? budget.epsilonSpent / budget.epsilonBudget : null;
  return (
    <li class="budget" data-testid={`budget-${budget.dataset}`}>
      <div class="budget-head">
        <span class="budget-name">{budget.dataset}</span>
        <span class="num">
          {budget.epsilonBudget === null ? (
            <>
              ε {format.epsilon(budget.epsilonSpent)} spent · <span class="warn-text">no budget set</span>
            </>
          ) : (
            <>
              ε {format.epsilon(budget.epsilonSpent)} of {format.epsilon(budget.epsilonBudget)}
            </>
          )}
        </span>
      </div>
      {fraction !== null && (
        <div
          class={`bar bar-${levelOf(fraction)}`}
          role="meter"
          aria-valuemin={0}
          aria-valuemax={budget.epsilonBudget ?? 0}
          aria-valuenow={budget.epsilonSpent}
          aria-label={`privacy budget spent on ${budget.dataset}`}
        >
          <span class="bar-fill" style={{ width: `${Math.min(100, fraction * 100).toFixed(1)}%` }} />
        </div>
      )}
      {budget.jobs.length > 0 && (
        <ul class="budget-jobs" aria-label={`jobs that spent from ${budget.dataset}`}>
          {budget.jobs.map((job) => (
            <li key={`${job.jobId}-${job.at}`}>
              <div class="budget-job-line">
                <span class="mono budget-job-id">{job.jobId}</span>
                <span class="num">ε {format.epsilon(job.epsilon)}</span>
              </div>
              <div class="budget-job-line muted">
                <span>{job.requester}</span>
                <span class="num" title={job.at}>
                  δ {format.delta(job.delta)} · {format.time(job.at)}
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function PrivacyBudgets({ datasets }: { datasets: DatasetBudget[] }) {
  return (
    <ul class="budgets" data-testid="privacy-budgets">
      {datasets.length === 0 && <li class="muted">No datasets configured.</li>}
      {datasets.map((budget) => (
        <BudgetRow key={budget.dataset} budget={budget} />
      ))}
    </ul>
  );
}
