/**
 * Which organisations were asked, which came, which said no and why, which
 * fell away during training and why, and who made each decision: a person
 * at the organisation or its policy.
 */
import type { JobDetail } from '../../api';

function Names({ names, testId }: { names: string[]; testId?: string }) {
  return (
    <ul class="chips" data-testid={testId}>
      {names.length === 0 && <li class="muted plain">none</li>}
      {names.map((name) => (
        <li key={name} class="chip">
          {name}
        </li>
      ))}
    </ul>
  );
}

function WithReasons({ items, testId }: { items: Array<{ orgId: string; reason: string }>; testId: string }) {
  return (
    <ul class="reason-list" data-testid={testId}>
      {items.length === 0 && <li class="muted">none</li>}
      {items.map((item) => (
        <li key={item.orgId}>
          <strong>{item.orgId}</strong> <span class="muted">—</span> {item.reason}
        </li>
      ))}
    </ul>
  );
}

export function OrganisationsPanel({ detail }: { detail: JobDetail }) {
  return (
    <section class="card">
      <h3 class="card-title">Organisations</h3>
      <div class="org-grid">
        <div>
          <h4 class="label">Invited</h4>
          <Names names={detail.invited} testId="orgs-invited" />
        </div>
        <div>
          <h4 class="label">Joined</h4>
          <Names names={detail.joined} testId="orgs-joined" />
        </div>
        <div>
          <h4 class="label">Declined</h4>
          <WithReasons items={detail.declined} testId="orgs-declined" />
        </div>
        <div>
          <h4 class="label">Dropped</h4>
          <WithReasons items={detail.dropped} testId="orgs-dropped" />
        </div>
      </div>
      <h4 class="label">Decisions</h4>
      <table class="table compact decisions" data-testid="decisions">
        <tbody>
          {detail.decisions.length === 0 && (
            <tr>
              <td class="muted">No decisions recorded yet.</td>
            </tr>
          )}
          {detail.decisions.map((d) => (
            <tr key={d.orgId}>
              <td>{d.orgId}</td>
              <td>
                <span class={d.accepted ? 'badge state-completed' : 'badge state-failed'}>{d.accepted ? 'accepted' : 'declined'}</span>
              </td>
              <td class="muted">by {d.decidedBy ?? 'unknown'}</td>
              <td>{d.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
