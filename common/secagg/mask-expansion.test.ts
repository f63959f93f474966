import { createCipheriv } from 'node:crypto';
import { createMaskExpander, InlineMaskExpander, sharedUint32Array, WorkerMaskExpander, type MaskExpander, type MaskJob } from './mask-expansion';
import { seededRandomBytes } from './test-support';

/** The whole keystream at once, as the definition says: AES-256-CTR from a zero IV, little-endian words. */
function referenceMask(key: Uint8Array, length: number): Uint32Array {
  const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length * 4));
  return new Uint32Array(stream.buffer.slice(stream.byteOffset, stream.byteOffset + length * 4));
}

function randomWords(length: number, seed: string): Uint32Array {
  const bytes = seededRandomBytes(seed)(length * 4);
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + length * 4));
}

const randomBytes = seededRandomBytes('mask-expansion');
const maskJobs = (signs: Array<1 | -1>): MaskJob[] => signs.map((sign) => ({ key: new Uint8Array(randomBytes(32)), sign }));

const implementations: Array<[string, () => MaskExpander]> = [
  ['InlineMaskExpander', () => new InlineMaskExpander()],
  // One worker: what createMaskExpander(1) gives, the benchmark's one-core setting.
  ['WorkerMaskExpander(1)', () => new WorkerMaskExpander(1)],
  ['WorkerMaskExpander(2)', () => new WorkerMaskExpander(2)],
  ['WorkerMaskExpander(3)', () => new WorkerMaskExpander(3)],
];

describe.each(implementations)('%s (MaskExpander contract)', (_name, create) => {
  let expander: MaskExpander;
  beforeAll(() => {
    expander = create();
  });
  afterAll(() => expander.close());

  it('adds and subtracts the AES-256-CTR keystream modulo 2^32, for a length that is no multiple of 4 or of a chunk', async () => {
    const length = 100_003;
    const start = randomWords(length, 'start');
    const acc = sharedUint32Array(length);
    acc.set(start);
    const [plus, minus] = maskJobs([1, -1]);
    await expander.addMasks(acc, [plus, minus]);
    const a = referenceMask(plus.key, length);
    const b = referenceMask(minus.key, length);
    const expected = start.map((value, k) => (value + a[k] - b[k]) >>> 0);
    expect(Buffer.from(acc.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('restores the accumulator when a mask is added and then subtracted', async () => {
    const start = randomWords(70_001, 'restore');
    const acc = sharedUint32Array(start.length);
    acc.set(start);
    const [mask] = maskJobs([1]);
    await expander.addMasks(acc, [mask]);
    expect(Buffer.from(acc.buffer).equals(Buffer.from(start.buffer))).toBe(false);
    await expander.addMasks(acc, [{ key: mask.key, sign: -1 }]);
    expect(Buffer.from(acc.buffer).equals(Buffer.from(start.buffer))).toBe(true);
  });

  it('works on a plain (non-shared) accumulator and on tiny and empty ones', async () => {
    const [mask] = maskJobs([1]);
    const plain = new Uint32Array(5);
    await expander.addMasks(plain, [mask]);
    expect(Array.from(plain)).toEqual(Array.from(referenceMask(mask.key, 5)));
    const empty = sharedUint32Array(0);
    await expander.addMasks(empty, [mask]);
    const untouched = sharedUint32Array(3);
    await expander.addMasks(untouched, []);
    expect(Array.from(untouched)).toEqual([0, 0, 0]);
  });

  it('refuses a key that is not 32 bytes', async () => {
    await expect(expander.addMasks(sharedUint32Array(4), [{ key: new Uint8Array(16), sign: 1 }])).rejects.toMatchObject({ code: 'SECAGG_BAD_MESSAGE' });
  });
});

describe('WorkerMaskExpander against InlineMaskExpander', () => {
  it('gives bit-identical sums on a SharedArrayBuffer accumulator', async () => {
    const length = 1_000_003;
    const start = randomWords(length, 'identical');
    const masks = maskJobs([1, -1, 1, 1, -1]);
    const inline = sharedUint32Array(length);
    const parallel = sharedUint32Array(length);
    inline.set(start);
    parallel.set(start);
    const workers = createMaskExpander(2);
    expect(workers).toBeInstanceOf(WorkerMaskExpander);
    expect(createMaskExpander(0)).toBeInstanceOf(InlineMaskExpander);
    // One worker is a worker, not the main thread (its small heap is why).
    const one = createMaskExpander(1);
    expect(one).toBeInstanceOf(WorkerMaskExpander);
    await one.close();
    try {
      await Promise.all([new InlineMaskExpander().addMasks(inline, masks), workers.addMasks(parallel, masks)]);
    } finally {
      await workers.close();
    }
    expect(parallel.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(parallel.buffer).equals(Buffer.from(inline.buffer))).toBe(true);
  });

  it('refuses work once closed', async () => {
    const workers = new WorkerMaskExpander(2);
    await workers.close();
    await expect(workers.addMasks(sharedUint32Array(8), maskJobs([1]))).rejects.toMatchObject({ code: 'SECAGG_OUT_OF_ORDER' });
  });
});
