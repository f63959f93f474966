/**
 * Links to the job's report and trained model, only once they exist, with
 * the model's size and sha256 so a download can be checked.
 */
import type { JobDetail } from '../../api';
import { format } from '../shared/format';

export function DownloadsPanel({ detail }: { detail: JobDetail }) {
  const { downloads } = detail;
  const base = `/api/jobs/${encodeURIComponent(detail.summary.jobId)}`;
  return (
    <section class="card">
      <h3 class="card-title">Downloads</h3>
      {!downloads.report && !downloads.model && <p class="muted">The report and the model appear here when the job ends.</p>}
      <ul class="downloads">
        {downloads.report && (
          <li>
            <a class="button" href={`${base}/report`} download data-testid="download-report">
              Report (report.json)
            </a>
          </li>
        )}
        {downloads.model && (
          <li>
            <a class="button" href={`${base}/model`} download data-testid="download-model">
              Model (.tar.gz)
            </a>
            <span class="download-facts">
              {downloads.modelBytes !== null && <span class="num">{format.bytes(downloads.modelBytes)}</span>}
              {downloads.modelSha256 !== null && (
                <span class="mono hash" title={downloads.modelSha256}>
                  sha256 {format.shortHash(downloads.modelSha256)}
                </span>
              )}
            </span>
          </li>
        )}
      </ul>
    </section>
  );
}
