/**
 * The current time, refreshed every few seconds, so "expires in 4 min"
 * keeps counting down without a fetch.
 */
import { useEffect, useState } from 'preact/hooks';

export function useNow(everyMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
