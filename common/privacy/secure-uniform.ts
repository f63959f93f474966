/**
 * Uniform [0, 1) doubles from the OS CSPRNG (crypto.randomFillSync), 53
 * random bits each, read from a 64 KiB buffer (one system call per ~8k
 * draws). Every noise draw of a real job comes from here: nothing a
 * participant, the coordinator or the aggregator can see predicts it.
 */
import { randomFillSync } from 'node:crypto';

const BLOCK_WORDS = 16384;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** A new uniform source with its own buffer. */
export function secureUniformSource(): () => number {
  const block = new Uint32Array(BLOCK_WORDS);
  let position = BLOCK_WORDS;
  return () => {
    if (position + 2 > BLOCK_WORDS) {
      randomFillSync(block);
      position = 0;
    }
    const high = block[position] >>> 5; // 27 bits
    const low = block[position + 1] >>> 6; // 26 bits
    position += 2;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  };
}
