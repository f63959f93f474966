/**
 * The selected job lives in the address (#job=<id>) so a reload, a bookmark
 * or the back button brings the same job back. Clicking a row adds a history
 * entry; choosing the newest job by default replaces the current one.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

function readHash(): string | null {
  const match = /^#job=(.+)$/.exec(window.location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export function useSelectedJob(): [string | null, (jobId: string, replace?: boolean) => void] {
  const [selected, setSelected] = useState<string | null>(readHash);

  useEffect(() => {
    const follow = (): void => setSelected(readHash());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  const select = useCallback((jobId: string, replace = false) => {
    const hash = `#job=${encodeURIComponent(jobId)}`;
    if (replace) window.history.replaceState(null, '', hash);
    else if (window.location.hash !== hash) window.history.pushState(null, '', hash);
    setSelected(jobId);
  }, []);

  return [selected, select];
}
