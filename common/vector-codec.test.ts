import { ShoalError } from './errors';
import { createRng } from './random';
import { DEFAULT_CHUNK_BYTES, MAX_VECTOR_ELEMENTS, VectorAssembler, vectorChunks, vectorHeader, type NumericVector } from './vector-codec';
import type { VectorChunk__Output } from '../proto/generated/shoal/v1/VectorChunk';
import type { VectorHeader__Output } from '../proto/generated/shoal/v1/VectorHeader';
import { thrownShoalError } from './testing/thrown-shoal-error';

function bytesOf(vector: NumericVector): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** What the receiving side sees: plain numbers and freshly allocated buffers, as after decoding from the wire. */
function overTheWire(vector: NumericVector, chunkBytes?: number): { header: VectorHeader__Output; chunks: VectorChunk__Output[] } {
  const header = vectorHeader(vector);
  const chunks = [...vectorChunks(vector, chunkBytes)].map((chunk) => ({ offset: Number(chunk.offset), data: Buffer.from(chunk.data as Uint8Array) }));
  return { header: { elementCount: Number(header.elementCount), dtype: header.dtype === 'DTYPE_FLOAT64' ? 'DTYPE_FLOAT64' : 'DTYPE_FLOAT32', tensors: [] }, chunks };
}

function reassemble(vector: NumericVector, chunkBytes?: number): NumericVector {
  const { header, chunks } = overTheWire(vector, chunkBytes);
  const assembler = new VectorAssembler(header);
  for (const chunk of chunks) assembler.push(chunk);
  return assembler.finish();
}

function seededFloat32(length: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => (rng() - 0.5) * 1e3);
}

const wireErrorFrom = (action: () => unknown): ShoalError => thrownShoalError(action, 'WIRE_FORMAT');

function header(elementCount: number, dtype: 'DTYPE_FLOAT32' | 'DTYPE_FLOAT64' = 'DTYPE_FLOAT32'): VectorHeader__Output {
  return { elementCount, dtype, tensors: [] };
}

function chunk(offset: number, byteLength: number): VectorChunk__Output {
  return { offset, data: Buffer.alloc(byteLength) };
}

describe('round trips', () => {
  it('rebuilds a float32 vector bit for bit, including NaN payloads, -0 and infinities', () => {
    const special = new Uint32Array([
      0x7fc00000, // quiet NaN
      0x7fc00001, // quiet NaN with a payload
      0xffc12345, // negative quiet NaN with a payload
      0x7f800001, // signalling NaN
      0x80000000, // -0
      0x7f800000, // +Infinity
      0xff800000, // -Infinity
      0x00000001, // smallest subnormal
      0x7f7fffff, // largest finite
    ]);
    const vector = new Float32Array(special.buffer);

    const rebuilt = reassemble(vector, 8);

    expect(rebuilt).toBeInstanceOf(Float32Array);
    expect(bytesOf(rebuilt).equals(bytesOf(vector))).toBe(true);
    expect(Array.from(new Uint32Array(rebuilt.buffer, rebuilt.byteOffset, rebuilt.length))).toEqual(Array.from(special));
  });

  it('rebuilds a float64 vector bit for bit', () => {
    const rng = createRng('float64');
    const vector = Float64Array.from({ length: 1000 }, () => (rng() - 0.5) * 1e300);
    vector[3] = -0;
    vector[4] = Number.MIN_VALUE;
    vector[5] = -Infinity;

    const rebuilt = reassemble(vector, 96);

    expect(rebuilt).toBeInstanceOf(Float64Array);
    expect(bytesOf(rebuilt).equals(bytesOf(vector))).toBe(true);
  });

  it('splits at boundaries that do not divide the vector, the last chunk holding the rest', () => {
    const vector = seededFloat32(10, 'boundaries');

    const chunks = [...vectorChunks(vector, 12)];

    expect(chunks.map((c) => [c.offset, (c.data as Uint8Array).length])).toEqual([[0, 12], [3, 12], [6, 12], [9, 4]]);
    expect(bytesOf(reassemble(vector, 12)).equals(bytesOf(vector))).toBe(true);
  });

  it('rounds a chunk size down to whole elements and never below one element', () => {
    const vector = seededFloat32(5, 'rounding');

    expect([...vectorChunks(vector, 10)].map((c) => c.offset)).toEqual([0, 2, 4]);
    expect([...vectorChunks(vector, 1)].map((c) => c.offset)).toEqual([0, 1, 2, 3, 4]);
  });

  it('uses 1 MiB chunks by default', () => {
    const vector = seededFloat32(DEFAULT_CHUNK_BYTES / 4 + 1, 'default-size');

    const sizes = [...vectorChunks(vector)].map((c) => (c.data as Uint8Array).length);

    expect(sizes).toEqual([DEFAULT_CHUNK_BYTES, 4]);
  });

  it('reads a subarray from its own byte offset', () => {
    const whole = seededFloat32(20, 'subarray');
    const part = whole.subarray(5, 12);

    const rebuilt = reassemble(part, 8);

    expect(bytesOf(rebuilt).equals(bytesOf(part))).toBe(true);
  });

  it('sends no chunks for an empty vector and rebuilds it from the header alone', () => {
    const empty = new Float32Array(0);

    expect([...vectorChunks(empty)]).toEqual([]);
    const assembler = new VectorAssembler(header(0));
    expect(assembler.complete).toBe(true);
    expect(assembler.finish()).toEqual(new Float32Array(0));
  });

  it('describes the vector in its header', () => {
    expect(vectorHeader(new Float64Array(7))).toEqual({ elementCount: 7, dtype: 'DTYPE_FLOAT64', tensors: [] });
    expect(vectorHeader(new Float32Array(3), [{ name: 'dense/kernel', shape: [3] }])).toEqual({ elementCount: 3, dtype: 'DTYPE_FLOAT32', tensors: [{ name: 'dense/kernel', shape: [3] }] });
  });
});

describe('refusals', () => {
  it('refuses chunks before a header', () => {
    const error = wireErrorFrom(() => new VectorAssembler(undefined));

    expect(error.message).toBe('a vector header must come before its chunks');
  });

  it('refuses a chunk that arrives out of order', () => {
    const assembler = new VectorAssembler(header(6));

    const error = wireErrorFrom(() => assembler.push(chunk(3, 12)));

    expect(error.message).toBe('vector chunk at element 3 arrived; expected element 0');
    expect(error.details).toEqual({ offset: 3, expected: 0 });
  });

  it('refuses a gap between chunks', () => {
    const assembler = new VectorAssembler(header(10));
    assembler.push(chunk(0, 8));

    const error = wireErrorFrom(() => assembler.push(chunk(4, 8)));

    expect(error.details).toEqual({ offset: 4, expected: 2 });
  });

  it('refuses a chunk that overlaps the previous one', () => {
    const assembler = new VectorAssembler(header(10));
    assembler.push(chunk(0, 16));

    const error = wireErrorFrom(() => assembler.push(chunk(2, 8)));

    expect(error.details).toEqual({ offset: 2, expected: 4 });
  });

  it('refuses a chunk that runs past the announced length and stays incomplete', () => {
    const assembler = new VectorAssembler(header(4));
    assembler.push({ offset: 0, data: Buffer.from(new Float32Array([1, 2]).buffer) });

    const error = wireErrorFrom(() => assembler.push(chunk(2, 12)));

    expect(error.message).toBe('vector chunk runs past the announced 4 elements');
    expect(error.details).toEqual({ end: 5, elementCount: 4 });
    expect(assembler.complete).toBe(false);
  });

  it('refuses any chunk after the vector is complete', () => {
    const assembler = new VectorAssembler(header(2));
    assembler.push(chunk(0, 8));

    const error = wireErrorFrom(() => assembler.push(chunk(2, 4)));

    expect(error.details).toEqual({ end: 3, elementCount: 2 });
  });

  it('refuses to finish a truncated vector', () => {
    const assembler = new VectorAssembler(header(6, 'DTYPE_FLOAT64'));
    assembler.push(chunk(0, 32));

    const error = wireErrorFrom(() => assembler.finish());

    expect(error.message).toBe('vector ended after 4 of 6 elements');
    expect(error.details).toEqual({ received: 4, elementCount: 6 });
  });

  it('refuses a header announcing more elements than the limit', () => {
    const error = wireErrorFrom(() => new VectorAssembler(header(101), { maxElements: 100 }));

    expect(error.message).toBe('vector announces 101 elements; at most 100 are accepted');
    expect(error.details).toEqual({ elementCount: 101, max: 100 });
  });

  it('applies the default limit of 2^28 elements', () => {
    const error = wireErrorFrom(() => new VectorAssembler(header(MAX_VECTOR_ELEMENTS + 1)));

    expect(error.details).toEqual({ elementCount: 2 ** 28 + 1, max: 2 ** 28 });
  });

  it('refuses a negative or fractional element count', () => {
    wireErrorFrom(() => new VectorAssembler(header(-1)));
    wireErrorFrom(() => new VectorAssembler(header(2.5)));
  });

  it('refuses a vector whose length differs from the expected one', () => {
    const error = wireErrorFrom(() => new VectorAssembler(header(9), { expectedElements: 10 }));

    expect(error.message).toBe('vector has 9 elements; expected 10');
    expect(error.details).toEqual({ elementCount: 9, expected: 10 });
  });

  it('refuses a chunk that is not a whole number of elements', () => {
    const float64 = new VectorAssembler(header(4, 'DTYPE_FLOAT64'));
    const float32 = new VectorAssembler(header(4));

    const error = wireErrorFrom(() => float64.push(chunk(0, 12)));
    wireErrorFrom(() => float32.push(chunk(0, 6)));

    expect(error.message).toBe('vector chunk of 12 bytes is not a whole number of 8-byte elements');
  });

  it('refuses an empty chunk', () => {
    const assembler = new VectorAssembler(header(4));

    wireErrorFrom(() => assembler.push(chunk(0, 0)));
    wireErrorFrom(() => assembler.push(undefined));
  });

  it('refuses an unknown dtype', () => {
    const error = wireErrorFrom(() => new VectorAssembler({ elementCount: 4, dtype: 'DTYPE_INT8' as never, tensors: [] }));

    expect(error.message).toBe('unknown vector dtype DTYPE_INT8');
  });
});
