/**
 * Every job the regulator's coordinator knows, newest first, one row each:
 * where it stands and how well the model does so far. Choosing a row opens
 * the job's detail.
 */
import type { JobSummary } from '../../api';
import { format } from '../shared/format';
import { StateBadge } from './state-badge';

interface JobListProps {
  jobs: JobSummary[] | null;
  selected: string | null;
  onSelect(jobId: string): void;
}

export function JobList({ jobs, selected, onSelect }: JobListProps) {
  return (
    <section class="card job-list-card">
      <h2 class="card-title">Jobs</h2>
      {jobs === null ? (
        <p class="muted">Loading jobs…</p>
      ) : (
        <div class="table-scroll job-list-scroll">
          <table class="table job-list" data-testid="job-list">
            <thead>
              <tr>
                <th>Job</th>
                <th>State</th>
                <th class="num">Round</th>
                <th class="num" title="Participants">Orgs</th>
                <th class="num">AUC</th>
                <th class="num" title="Accuracy">Acc.</th>
              </tr>
            </thead>
            <tbody>
              {jobs.length === 0 && (
                <tr>
                  <td colSpan={6} class="muted">
                    No jobs yet. Submit a job spec to start one.
                  </td>
                </tr>
              )}
              {jobs.map((job) => (
                <JobRow key={job.jobId} job={job} selected={job.jobId === selected} onSelect={onSelect} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function JobRow({ job, selected, onSelect }: { job: JobSummary; selected: boolean; onSelect(jobId: string): void }) {
  const choose = (): void => onSelect(job.jobId);
  return (
    <tr
      class={selected ? 'job-row selected' : 'job-row'}
      data-testid={`job-row-${job.jobId}`}
      data-state={job.state ?? 'unknown'}
      aria-selected={selected}
      tabIndex={0}
      onClick={choose}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          choose();
        }
      }}
    >
      <td class="job-id-cell">
        <span class="mono job-id">{job.jobId}</span>
        <span class="cell-note" title={job.updatedAt}>
          updated {format.time(job.updatedAt)}
        </span>
        {job.problem !== null && <span class="row-problem">{job.problem}</span>}
      </td>
      <td>
        <StateBadge state={job.state} />
      </td>
      <td class="num">
        {job.round}/{job.rounds}
      </td>
      <td class="num" title={job.participants.join(', ')}>
        {job.participants.length}
      </td>
      <td class="num">{format.metric(job.latestMetrics?.auc)}</td>
      <td class="num">{format.metric(job.latestMetrics?.accuracy)}</td>
    </tr>
  );
}
