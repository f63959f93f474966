/**
 * A MaskExpander decorator that records how long each addMasks call took
 * and how many masks it expanded, so the benchmark can split maskInput and
 * finish into mask expansion and everything else without touching the
 * secure-aggregation library.
 */
import type { MaskExpander, MaskJob } from '../common/secagg';
import { noTime, timedAsync, type Elapsed } from './stopwatch';

export interface ExpansionCall {
  masks: number;
  elapsed: Elapsed;
}

export class TimedMaskExpander implements MaskExpander {
  private last: ExpansionCall = { masks: 0, elapsed: noTime() };

  constructor(private readonly inner: MaskExpander) {}

  async addMasks(acc: Uint32Array, masks: MaskJob[]): Promise<void> {
    const count = masks.length;
    const { elapsed } = await timedAsync(() => this.inner.addMasks(acc, masks));
    this.last = { masks: count, elapsed };
  }

  /** The most recent call, then forgets it. */
  takeLast(): ExpansionCall {
    const call = this.last;
    this.last = { masks: 0, elapsed: noTime() };
    return call;
  }

  /** The inner expander may be shared; its owner closes it. */
  async close(): Promise<void> {}
}
