/**
 * Hands the messages of the one live connection to whichever views want
 * them. The shell owns the EventSource (so the header can show its state);
 * the console's views subscribe here instead of opening their own streams.
 */
import type { LiveMessage } from '../../api';

/** A live message, or 'resync': the stream was down, so messages may be lost and views should fetch again. */
export type LiveSignal = LiveMessage | { kind: 'resync' };

export interface LiveFeed {
  subscribe(listener: (signal: LiveSignal) => void): () => void;
  publish(signal: LiveSignal): void;
}

export function createLiveFeed(): LiveFeed {
  const listeners = new Set<(signal: LiveSignal) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(signal) {
      for (const listener of [...listeners]) listener(signal);
    },
  };
}
