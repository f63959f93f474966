/**
 * A full garbage collection outside every timed call. All parties share one
 * heap here, while in a deployment each is its own process: without this,
 * the collector would reclaim one party's vectors (4 bytes · d each, several
 * per participant) in the middle of another party's timed call. The
 * benchmark collects between parties' turns instead, untimed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collector: (() => void) | null | undefined;

function load(): (() => void) | null {
  try {
    // --expose-gc set at run time applies to contexts created afterwards.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** Whether untimedGc actually collects (false: the runtime refused to expose the collector). */
export function gcAvailable(): boolean {
  if (collector === undefined) collector = load();
  return collector !== null;
}

export function untimedGc(): void {
  if (gcAvailable()) (collector as () => void)();
}
