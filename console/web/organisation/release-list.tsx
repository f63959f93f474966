/**
 * Round outputs the agent holds until a person releases them. Only facts
 * about each output are shown (its size, weight, norm and hash), never its
 * values; the steward releases one with a reason that goes into the audit
 * trail.
 */
import { useState } from 'preact/hooks';
import type { ReleaseView } from '../../api';
import { format } from '../shared/format';
import { useNow } from '../shared/use-now';

interface ReleaseListProps {
  releases: ReleaseView[] | null;
  /** Resolves true when the server released the output. */
  onRelease(jobId: string, round: number, reason: string): Promise<boolean>;
}

export function ReleaseList({ releases, onRelease }: ReleaseListProps) {
  const now = useNow();
  return (
    <section class="section">
      <h2 class="section-title">
        Round outputs waiting for release
        {releases !== null && releases.length > 0 && <span class="count">{releases.length}</span>}
      </h2>
      <div class="card table-scroll">
        <table class="table releases" data-testid="releases">
          <thead>
            <tr>
              <th>Job</th>
              <th class="num">Round</th>
              <th>Kind</th>
              <th class="num">Elements</th>
              <th class="num">Weight</th>
              <th class="num">L2 norm</th>
              <th>sha256</th>
              <th>Deadline</th>
              <th>Release</th>
            </tr>
          </thead>
          <tbody>
            {(releases === null || releases.length === 0) && (
              <tr>
                <td colSpan={9} class="muted">
                  {releases === null ? 'Loading…' : 'Nothing is waiting for release.'}
                </td>
              </tr>
            )}
            {releases?.map((release) => (
              <ReleaseRow key={`${release.jobId}-${release.round}`} release={release} now={now} onRelease={onRelease} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ReleaseRow({ release, now, onRelease }: { release: ReleaseView; now: number; onRelease: ReleaseListProps['onRelease'] }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const key = `${release.jobId}-${release.round}`;
  const late = new Date(release.deadline).getTime() <= now;

  const submit = async (): Promise<void> => {
    setBusy(true);
    const done = await onRelease(release.jobId, release.round, reason.trim());
    setBusy(false);
    if (done) setReason('');
  };

  return (
    <tr data-testid={`release-${key}`}>
      <td class="mono">{release.jobId}</td>
      <td class="num">{release.round}</td>
      <td>{release.kind}</td>
      <td class="num">{format.count(release.elements)}</td>
      <td class="num">{format.decimal(release.weight)}</td>
      <td class="num">{format.decimal(release.l2Norm)}</td>
      <td>
        <span class="mono hash" title={release.sha256}>
          {format.shortHash(release.sha256)}
        </span>
      </td>
      <td class={late ? 'bad' : 'warn-text'} title={release.deadline}>
        {format.relative(release.deadline, now)}
      </td>
      <td>
        <div class="release-action">
          <input
            class="reason-input"
            type="text"
            placeholder="Reason"
            aria-label={`Reason for releasing ${release.jobId} round ${release.round}`}
            data-testid={`release-reason-${key}`}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <button class="button primary" type="button" disabled={busy} data-testid={`release-button-${key}`} onClick={() => void submit()}>
            Release
          </button>
        </div>
      </td>
    </tr>
  );
}
