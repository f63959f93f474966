/**
 * The offers waiting for a person, one card each, and any queue file the
 * agent could not read, so a broken file is seen rather than silently lost.
 */
import type { QueueView } from '../../api';
import { useNow } from '../shared/use-now';
import { OfferCard } from './offer-card';

interface PendingOffersProps {
  queue: QueueView | null;
  onDecide(jobId: string, offerSha256: string, approve: boolean, reason: string): Promise<boolean>;
}

export function PendingOffers({ queue, onDecide }: PendingOffersProps) {
  const now = useNow();
  return (
    <section class="section" data-testid="pending-offers">
      <h2 class="section-title">
        Waiting for your decision
        {queue !== null && queue.offers.length > 0 && <span class="count">{queue.offers.length}</span>}
      </h2>
      {queue !== null && queue.unreadable.length > 0 && (
        <ul class="warnings" data-testid="queue-unreadable">
          {queue.unreadable.map((item) => (
            <li key={item.file} class="warning">
              Could not read <span class="mono">{item.file}</span>: {item.problem}
            </li>
          ))}
        </ul>
      )}
      {queue === null && <p class="muted card">Loading the queue…</p>}
      {queue !== null && queue.offers.length === 0 && (
        <p class="card muted empty" data-testid="queue-empty">
          No offers are waiting. New job offers that the policy sends to a person appear here.
        </p>
      )}
      {queue?.offers.map((offer) => (
        <OfferCard key={offer.jobId} offer={offer} now={now} onDecide={onDecide} />
      ))}
    </section>
  );
}
