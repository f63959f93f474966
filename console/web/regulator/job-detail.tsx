/**
 * Everything about the selected job on one page, arranged so the state and
 * the curves come first and the evidence (rounds, organisations, audit
 * heads, downloads, timeline) follows.
 */
import type { JobDetail as JobDetailData } from '../../api';
import { AuditPanel } from './audit-panel';
import { DownloadsPanel } from './downloads-panel';
import { JobOverview } from './job-overview';
import { JobTimeline } from './job-timeline';
import { MetricChart } from './metric-chart';
import { OrganisationsPanel } from './organisations-panel';
import { OutcomePanel } from './outcome-panel';
import { RoundTable } from './round-table';

export function JobDetail({ detail }: { detail: JobDetailData }) {
  return (
    <div class="job-detail" data-testid="job-detail" data-job-id={detail.summary.jobId}>
      <JobOverview detail={detail} />
      {detail.outcome !== null && <OutcomePanel outcome={detail.outcome} />}
      <section class="card">
        <h3 class="card-title">Metrics by round</h3>
        <MetricChart rounds={detail.rounds} totalRounds={detail.summary.rounds} />
      </section>
      <RoundTable rounds={detail.rounds} />
      <div class="two-columns">
        <OrganisationsPanel detail={detail} />
        <div class="stack">
          <AuditPanel detail={detail} />
          <DownloadsPanel detail={detail} />
        </div>
      </div>
      <JobTimeline entries={detail.timeline} />
    </div>
  );
}
