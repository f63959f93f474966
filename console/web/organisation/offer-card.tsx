/**
 * One job offer waiting for a person, shown as the agent would run it: the
 * dataset and every column the trainer would read, the model, the rounds,
 * the protections, why the policy asked, and the agent's own plain-language
 * account. The steward approves or rejects it here; a rejection needs a
 * reason, which the server insists on and explains if it is missing.
 * The card shows the offer's SHA-256 and the decision carries it back, so
 * the agent applies it to this offer only, never to another one the
 * requester may have sent under the same job id since the page loaded.
 */
import { useState } from 'preact/hooks';
import type { OfferView } from '../../api';
import { format } from '../shared/format';

interface OfferCardProps {
  offer: OfferView;
  now: number;
  /** Resolves true when the server took the decision. */
  onDecide(jobId: string, offerSha256: string, approve: boolean, reason: string): Promise<boolean>;
}

export function OfferCard({ offer, now, onDecide }: OfferCardProps) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const id = offer.jobId;
  const expired = new Date(offer.expiresAt).getTime() <= now;

  const decide = async (approve: boolean): Promise<void> => {
    setBusy(true);
    const done = await onDecide(id, offer.offerSha256, approve, reason.trim());
    setBusy(false);
    if (done) setReason('');
  };

  return (
    <article class="card offer" data-testid={`offer-${id}`}>
      <header class="offer-head">
        <div>
          <h3 class="card-title mono">{id}</h3>
          <span class="muted">requested by {offer.requester}</span>
        </div>
        <div class="offer-times">
          <span title={offer.receivedAt}>received {format.relative(offer.receivedAt, now, true)}</span>
          <span class={expired ? 'bad' : 'warn-text'} title={offer.expiresAt}>
            {expired ? 'expired' : 'expires'} {format.relative(offer.expiresAt, now)}
          </span>
        </div>
      </header>

      <dl class="offer-facts">
        <dt>Offer SHA-256</dt>
        <dd class="mono offer-hash" title="The decision applies to this exact offer only" data-testid={`offer-sha256-${id}`}>
          {offer.offerSha256}
        </dd>
        <dt>Dataset</dt>
        <dd class="mono">{offer.dataset}</dd>
        <dt>Columns read ({offer.columns.length})</dt>
        <dd>
          <ul class="chips" data-testid={`offer-columns-${id}`}>
            {offer.columns.map((column) => (
              <li key={column} class={column === offer.label ? 'chip chip-label' : 'chip'} title={column === offer.label ? 'the label' : 'a feature'}>
                {column}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Label</dt>
        <dd class="mono">{offer.label}</dd>
        <dt>Model</dt>
        <dd>
          <ol class="chips layers" aria-label="layers, input first">
            {offer.layers.map((layer, i) => (
              <li key={i} class="chip">
                {layer}
              </li>
            ))}
          </ol>
          <span class="muted num">{format.count(offer.modelParameters)} parameters</span>
        </dd>
        <dt>Training</dt>
        <dd class="num">
          {offer.rounds} rounds × {offer.localEpochs} local epochs
        </dd>
        <dt>Secure aggregation</dt>
        <dd class={offer.secureAggregation ? 'good' : 'warn-text'}>{offer.secureAggregation ? 'on' : 'off'}</dd>
        <dt>Differential privacy</dt>
        <dd class={offer.differentialPrivacy === null ? 'warn-text' : ''}>{offer.differentialPrivacy ?? 'none'}</dd>
        <dt>Why you are asked</dt>
        <dd>
          <ul class="reasons">
            {offer.reasons.length === 0 && <li class="muted">The policy gave no reason.</li>}
            {offer.reasons.map((r, i) => (
              <li key={i}>
                <span class="mono">{r.rule}</span> <span class="badge">{r.outcome}</span> {r.reason}
              </li>
            ))}
          </ul>
        </dd>
      </dl>

      <details class="description" open>
        <summary>What the agent would do, in full</summary>
        <pre data-testid={`offer-description-${id}`}>{offer.description}</pre>
      </details>

      <div class="decision">
        <input
          class="reason-input"
          type="text"
          placeholder="Reason (needed to reject; recorded in the audit trail)"
          aria-label={`Reason for the decision on ${id}`}
          data-testid={`decision-reason-${id}`}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <button class="button approve" type="button" disabled={busy} data-testid={`approve-${id}`} onClick={() => void decide(true)}>
          Approve
        </button>
        <button class="button reject" type="button" disabled={busy} data-testid={`reject-${id}`} onClick={() => void decide(false)}>
          Reject
        </button>
      </div>
    </article>
  );
}
