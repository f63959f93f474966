/**
 * One line per finished round, newest first: who contributed, who was
 * missing, how long the round took and the privacy it spent.
 */
import type { RoundPoint } from '../../api';
import { format } from '../shared/format';

export function RoundTable({ rounds }: { rounds: RoundPoint[] }) {
  const newestFirst = [...rounds].sort((a, b) => b.round - a.round);
  return (
    <section class="card">
      <h3 class="card-title">Rounds</h3>
      <div class="table-scroll tall">
        <table class="table" data-testid="round-table">
          <thead>
            <tr>
              <th class="num">Round</th>
              <th>Contributors</th>
              <th>Missing</th>
              <th class="num">Time</th>
              <th class="num">ε spent</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  No round has finished yet.
                </td>
              </tr>
            )}
            {newestFirst.map((r) => (
              <tr key={r.round} data-round={r.round}>
                <td class="num">{r.round}</td>
                <td title={r.contributors.join(', ')}>
                  <span class="num">{r.contributors.length}</span>
                  {r.contributors.length > 0 && <span class="cell-note">{r.contributors.join(', ')}</span>}
                </td>
                <td class={r.missing.length > 0 ? 'warn-text' : 'muted'}>{r.missing.length > 0 ? r.missing.join(', ') : 'none'}</td>
                <td class="num">{format.duration(r.seconds)}</td>
                <td class="num">{format.epsilon(r.epsilonSpent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
