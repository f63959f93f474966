/**
 * The organisation at a glance: which agent this is, the jobs it is taking
 * part in right now, and what each dataset's privacy budget has left.
 */
import type { OrganisationOverview } from '../../api';
import { PrivacyBudgets } from './privacy-budgets';

export function OverviewPanel({ overview }: { overview: OrganisationOverview | null }) {
  if (overview === null) {
    return (
      <section class="card">
        <p class="muted">Loading the organisation…</p>
      </section>
    );
  }
  return (
    <div class="overview" data-testid="org-overview">
      <section class="card">
        <h2 class="card-title">Organisation</h2>
        <p class="org-id mono">{overview.orgId}</p>
        <h3 class="label">Active jobs</h3>
        <ul class="active-jobs" data-testid="active-jobs">
          {overview.activeJobs.length === 0 && <li class="muted">Not taking part in any job now.</li>}
          {overview.activeJobs.map((job) => (
            <li key={job.jobId} data-testid={`active-job-${job.jobId}`}>
              <span class="mono">{job.jobId}</span>
              <span class="muted">
                {job.requester} · {job.dataset}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section class="card">
        <h2 class="card-title">Privacy budgets</h2>
        <PrivacyBudgets datasets={overview.datasets} />
      </section>
    </div>
  );
}
