/**
 * Fan-out of live messages to every open browser: the console's own source
 * (NATS job events, or the agent's queue watcher) publishes, each
 * `GET /api/live` stream listens until its browser goes away.
 */
import type { LiveMessage } from '../api';

export type LiveListener = (message: LiveMessage) => void;

export class LiveFeed {
  private readonly listeners = new Set<LiveListener>();

  /** Returns the function that stops listening. */
  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  get listening(): number {
    return this.listeners.size;
  }
}
