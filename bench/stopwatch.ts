/**
 * Per-phase time of one party: CPU time of this process (user + system, all
 * threads, so mask worker threads count too) and wall-clock time. Parties
 * take turns on one thread, so each call is charged to exactly one party.
 */

export interface Elapsed {
  cpuSeconds: number;
  wallSeconds: number;
}

export function noTime(): Elapsed {
  return { cpuSeconds: 0, wallSeconds: 0 };
}

export function addElapsed(a: Elapsed, b: Elapsed): Elapsed {
  return { cpuSeconds: a.cpuSeconds + b.cpuSeconds, wallSeconds: a.wallSeconds + b.wallSeconds };
}

export function scaleElapsed(a: Elapsed, factor: number): Elapsed {
  return { cpuSeconds: a.cpuSeconds * factor, wallSeconds: a.wallSeconds * factor };
}

/** A point in time on both clocks. */
interface Mark {
  cpuMicros: number;
  wallMs: number;
}

function mark(): Mark {
  const usage = process.cpuUsage();
  return { cpuMicros: usage.user + usage.system, wallMs: performance.now() };
}

function since(start: Mark): Elapsed {
  const end = mark();
  return { cpuSeconds: (end.cpuMicros - start.cpuMicros) / 1e6, wallSeconds: (end.wallMs - start.wallMs) / 1e3 };
}

/** Times a synchronous call. */
export function timed<T>(work: () => T): { value: T; elapsed: Elapsed } {
  const start = mark();
  const value = work();
  return { value, elapsed: since(start) };
}

/** Times an asynchronous call; nothing else runs on the event loop meanwhile, so its time is its own. */
export async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; elapsed: Elapsed }> {
  const start = mark();
  const value = await work();
  return { value, elapsed: since(start) };
}

/** Accumulates one party's time per phase, in the order phases first appear. */
export class Stopwatch {
  private readonly totals = new Map<string, Elapsed>();

  measure<T>(phase: string, work: () => T): T {
    const { value, elapsed } = timed(work);
    this.add(phase, elapsed);
    return value;
  }

  async measureAsync<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const { value, elapsed } = await timedAsync(work);
    this.add(phase, elapsed);
    return value;
  }

  add(phase: string, elapsed: Elapsed): void {
    this.totals.set(phase, addElapsed(this.totals.get(phase) ?? noTime(), elapsed));
  }

  total(): Elapsed {
    let sum = noTime();
    for (const elapsed of this.totals.values()) sum = addElapsed(sum, elapsed);
    return sum;
  }

  phases(): Map<string, Elapsed> {
    return new Map(this.totals);
  }
}

/** The mean of several parties' per-phase times. */
export function meanPhases(stopwatches: readonly Stopwatch[]): Map<string, Elapsed> {
  const sums = new Map<string, Elapsed>();
  for (const stopwatch of stopwatches) {
    for (const [phase, elapsed] of stopwatch.phases()) sums.set(phase, addElapsed(sums.get(phase) ?? noTime(), elapsed));
  }
  const count = Math.max(1, stopwatches.length);
  return new Map([...sums].map(([phase, elapsed]) => [phase, scaleElapsed(elapsed, 1 / count)]));
}
