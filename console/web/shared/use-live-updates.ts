/**
 * Keeps one EventSource on /api/live open while the person is logged in and
 * reports its state for the header. The browser reconnects an EventSource by
 * itself after a network error, but gives up for good on an HTTP error (a
 * 401 after the session expired, say); then we ask the server whether the
 * session still exists (a 401 there sends the page back to the login form)
 * and open a new stream a little later.
 */
import { useEffect, useState } from 'preact/hooks';
import type { LiveMessage } from '../../api';
import { api } from './api-client';
import type { LiveFeed } from './live-feed';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

const RETRY_AFTER_MS = 3000;

function parseMessage(data: unknown): LiveMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string') {
      return value as LiveMessage;
    }
  } catch {
    // A line the page cannot read is skipped; the next resync fetches everything anyway.
  }
  return null;
}

export function useLiveUpdates(feed: LiveFeed): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let missedSome = false;

    const open = (): void => {
      if (stopped) return;
      const stream = new EventSource('/api/live');
      source = stream;
      stream.onopen = () => {
        setStatus('live');
        if (missedSome) feed.publish({ kind: 'resync' });
        missedSome = false;
      };
      stream.onmessage = (event: MessageEvent) => {
        const message = parseMessage(event.data);
        if (message) feed.publish(message);
      };
      stream.onerror = () => {
        missedSome = true;
        setStatus('reconnecting');
        if (stream.readyState !== EventSource.CLOSED) return;
        stream.close();
        api.get('/api/session').catch(() => undefined);
        retry = setTimeout(open, RETRY_AFTER_MS);
      };
    };

    open();
    return () => {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      source?.close();
    };
  }, [feed]);

  return status;
}
