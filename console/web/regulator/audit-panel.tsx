/**
 * The audit-chain heads the job's report pinned, one per participant, and
 * the coordinator's transcript head: what an auditor compares against each
 * organisation's own chain. Hashes are shortened for reading; the full hash
 * is in the title, to copy or compare.
 */
import type { JobDetail } from '../../api';
import { format } from '../shared/format';

function Hash({ hash }: { hash: string }) {
  return (
    <span class="mono hash" title={hash}>
      {format.shortHash(hash)}
    </span>
  );
}

export function AuditPanel({ detail }: { detail: JobDetail }) {
  const transcript = detail.transcriptHead;
  return (
    <section class="card">
      <h3 class="card-title">Audit chains</h3>
      <table class="table compact" data-testid="audit-heads">
        <thead>
          <tr>
            <th>Organisation</th>
            <th class="num">Seq</th>
            <th>Head hash</th>
          </tr>
        </thead>
        <tbody>
          {detail.auditHeads.length === 0 && (
            <tr>
              <td colSpan={3} class="muted">
                Pinned by the report when the job ends.
              </td>
            </tr>
          )}
          {detail.auditHeads.map((head) => (
            <tr key={head.orgId}>
              <td>{head.orgId}</td>
              <td class="num">{head.seq}</td>
              <td>
                <Hash hash={head.hash} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4 class="label">Transcript head</h4>
      <p data-testid="transcript-head">
        {transcript === null ? (
          <span class="muted">none yet</span>
        ) : (
          <>
            seq <span class="num">{transcript.seq}</span> · <Hash hash={transcript.hash} /> · key{' '}
            <span class="mono hash" title={transcript.publicKey}>
              {format.shortHash(transcript.publicKey)}
            </span>
          </>
        )}
      </p>
    </section>
  );
}
