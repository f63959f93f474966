import { ADD_KERNEL_WASM, addWordsInto, createWordAdder, JsWordAdder, wasmAddKernelAvailable, WasmWordAdder } from './wasm-add-kernel';
import { seededRandomBytes } from './test-support';

function randomWords(length: number, seed: string): Uint32Array {
  const bytes = seededRandomBytes(seed)(length * 4);
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + length * 4));
}

/** The definition, one word at a time in float arithmetic. */
function expected(acc: Uint32Array, words: Uint32Array, sign: 1 | -1): Uint32Array {
  return acc.map((value, k) => (value + sign * words[k] + 2 ** 32) % 2 ** 32);
}

const same = (a: Uint32Array, b: Uint32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

// Lengths around the 16-byte vector and the 16384-word addInto chunk, most of them no multiple of 4.
const LENGTHS = [1, 2, 3, 4, 5, 7, 15, 17, 1023, 16383, 16384, 16385, 40_001];

describe('wasm add kernel', () => {
  it('is a valid module that runs here (Node 20 has WebAssembly SIMD)', () => {
    // Prepare / act
    const adder = createWordAdder();
    // Assert
    expect(ADD_KERNEL_WASM.subarray(0, 8)).toEqual(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
    expect(wasmAddKernelAvailable()).toBe(true);
    expect(adder).toBeInstanceOf(WasmWordAdder);
    expect(createWordAdder('js')).toBeInstanceOf(JsWordAdder);
  });

  describe.each([1, -1] as const)('sign %d', (sign) => {
    it.each(LENGTHS)('addInto: wasm and JS agree with the definition for %d words', (length) => {
      const start = randomWords(length, `start/${length}`);
      const words = randomWords(length, `words/${length}`);
      const wasm = start.slice();
      const js = start.slice();
      createWordAdder().addInto(wasm, words, sign);
      createWordAdder('js').addInto(js, words, sign);
      expect(same(wasm, js)).toBe(true);
      expect(same(wasm, expected(start, words, sign))).toBe(true);
    });

    it('wraps around modulo 2^32', () => {
      const start = Uint32Array.of(0xffffffff, 0, 0x80000000, 1, 0xfffffffe, 5, 0);
      const words = Uint32Array.of(1, 1, 0x80000000, 0xffffffff, 3, 5, 0xffffffff);
      const wasm = start.slice();
      const js = start.slice();
      createWordAdder().addInto(wasm, words, sign);
      createWordAdder('js').addInto(js, words, sign);
      const want =
        sign === 1
          ? [0, 1, 0, 0, 1, 10, 0xffffffff]
          : [0xfffffffe, 0xffffffff, 0, 2, 0xfffffffb, 0, 1];
      expect(Array.from(wasm)).toEqual(want);
      expect(Array.from(js)).toEqual(want);
    });
  });

  it('load / apply / store: many streams of mixed sign into one chunk, from unaligned bytes, into a subarray', () => {
    // Prepare: a chunk in the middle of a larger accumulator, and streams as Buffers at odd byte offsets.
    const length = 16_383;
    const whole = randomWords(length + 10, 'whole');
    const streams = [1, -1, -1, 1, 1].map((sign, i) => {
      const backing = seededRandomBytes(`stream/${i}`)(length * 4 + 1);
      return { sign: sign as 1 | -1, bytes: backing.subarray(1) };
    });
    const results = (['wasm-simd', 'js'] as const).map((kind) => {
      const acc = whole.slice();
      const adder = createWordAdder(kind);
      // Act
      adder.load(acc.subarray(5, 5 + length));
      for (const { sign, bytes } of streams) adder.apply(bytes, sign);
      adder.store();
      return acc;
    });
    // Assert: the same, the edges untouched, the sum what the definition says.
    const [wasm, js] = results;
    expect(same(wasm, js)).toBe(true);
    expect(Array.from(wasm.subarray(0, 5))).toEqual(Array.from(whole.subarray(0, 5)));
    expect(Array.from(wasm.subarray(5 + length))).toEqual(Array.from(whole.subarray(5 + length)));
    let want = whole.subarray(5, 5 + length);
    for (const { sign, bytes } of streams) want = expected(want, new Uint32Array(Uint8Array.from(bytes).buffer), sign);
    expect(same(wasm.subarray(5, 5 + length), want)).toBe(true);
  });

  it('grows its memory for a chunk larger than one page and keeps working after', () => {
    const adder = createWordAdder();
    for (const length of [100, 200_003, 7]) {
      const start = randomWords(length, `grow/${length}`);
      const words = randomWords(length, `grow-words/${length}`);
      const acc = start.slice();
      adder.load(acc);
      adder.apply(words, -1);
      adder.store();
      expect(same(acc, expected(start, words, -1))).toBe(true);
    }
  });

  it('refuses a stream whose length differs from the loaded chunk', () => {
    for (const kind of ['wasm-simd', 'js'] as const) {
      const adder = createWordAdder(kind);
      adder.load(new Uint32Array(8));
      expect(() => adder.apply(new Uint32Array(7), 1)).toThrow(RangeError);
    }
  });

  it('addWordsInto adds into a SharedArrayBuffer accumulator', () => {
    const acc = new Uint32Array(new SharedArrayBuffer(4 * 33_335));
    const words = randomWords(acc.length, 'shared');
    addWordsInto(acc, words, 1);
    addWordsInto(acc, words, 1);
    expect(same(acc, expected(words, words, 1))).toBe(true);
  });
});
