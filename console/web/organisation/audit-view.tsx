/**
 * The agent's audit trail, newest first, and the button that asks the agent
 * to check the whole hash chain and its signatures. A damaged chain is shown
 * in red with every problem the check found, line by line.
 */
import type { AuditPage, AuditVerificationView } from '../../api';
import { format } from '../shared/format';

interface AuditViewProps {
  page: AuditPage | null;
  verification: AuditVerificationView | null;
  verifying: boolean;
  onVerify(): void;
}

export function AuditView({ page, verification, verifying, onVerify }: AuditViewProps) {
  const newestFirst = page === null ? [] : [...page.entries].reverse();
  return (
    <section class="section">
      <div class="section-head">
        <h2 class="section-title">Audit trail</h2>
        {page !== null && (
          <span class="muted num">
            last {page.entries.length} of {format.count(page.total)} entries
          </span>
        )}
        <button class="button" type="button" data-testid="audit-verify" disabled={verifying} onClick={onVerify}>
          {verifying ? 'Verifying…' : 'Verify the chain'}
        </button>
      </div>
      {verification !== null && <VerificationResult result={verification} />}
      <div class="card table-scroll tall">
        <table class="table" data-testid="audit-entries">
          <thead>
            <tr>
              <th class="num">Seq</th>
              <th>Time</th>
              <th>Type</th>
              <th>Actor</th>
              <th>What happened</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  {page === null ? 'Loading…' : 'The audit trail is empty.'}
                </td>
              </tr>
            )}
            {newestFirst.map((entry) => (
              <tr key={entry.seq}>
                <td class="num">{entry.seq}</td>
                <td class="tnum nowrap" title={entry.at}>
                  {format.time(entry.at)}
                </td>
                <td class="mono nowrap">{entry.type}</td>
                <td>{entry.actor}</td>
                <td>{entry.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function VerificationResult({ result }: { result: AuditVerificationView }) {
  return (
    <div class={result.intact ? 'audit-result intact' : 'audit-result damaged'} role="status" data-testid="audit-result" data-intact={String(result.intact)}>
      {result.intact ? (
        <p>
          <strong>Chain intact.</strong> {format.count(result.entries)} entries
          {result.head !== null && (
            <>
              , head seq <span class="num">{result.head.seq}</span>{' '}
              <span class="mono hash" title={result.head.hash}>
                {format.shortHash(result.head.hash)}
              </span>
            </>
          )}
          {result.publicKey !== null && (
            <>
              , signed by key{' '}
              <span class="mono hash" title={result.publicKey}>
                {format.shortHash(result.publicKey)}
              </span>
            </>
          )}
          .
        </p>
      ) : (
        <>
          <p>
            <strong>Chain damaged.</strong> {result.problems.length} problem{result.problems.length === 1 ? '' : 's'} in{' '}
            {format.count(result.entries)} entries:
          </p>
          <ul class="problems" data-testid="audit-problems">
            {result.problems.map((problem, i) => (
              <li key={i}>
                line <span class="num">{problem.line}</span> · <span class="mono">{problem.kind}</span> · {problem.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
