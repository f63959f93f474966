/**
 * Flat numeric vectors on the wire: one header, then ordered chunks of raw
 * little-endian bytes. This is the only place that turns typed arrays into
 * chunks and back, so size and order checks live here once.
 */
import { endianness } from 'node:os';
import { WireFormatError } from './errors';
import type { Dtype } from '../proto/generated/shoal/v1/Dtype';
import type { TensorSpec } from '../proto/generated/shoal/v1/TensorSpec';
import type { VectorChunk, VectorChunk__Output } from '../proto/generated/shoal/v1/VectorChunk';
import type { VectorHeader, VectorHeader__Output } from '../proto/generated/shoal/v1/VectorHeader';

/** Float vectors for models and sums; Uint32Array for masked secure-aggregation inputs (elements of Z_{2^32}). */
export type NumericVector = Float32Array | Float64Array | Uint32Array;

/** 1 MiB of payload per chunk keeps every message far below gRPC's 4 MiB default. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Largest vector a peer may announce: 2^28 elements (1 GiB of float32), well beyond 10^7-parameter models. */
export const MAX_VECTOR_ELEMENTS = 2 ** 28;

if (endianness() !== 'LE') {
  // Typed arrays use the host's byte order; the wire format is little-endian.
  throw new Error('Shoal requires a little-endian host');
}

export function dtypeOf(vector: NumericVector): Dtype {
  if (vector instanceof Float64Array) return 'DTYPE_FLOAT64';
  return vector instanceof Uint32Array ? 'DTYPE_UINT32' : 'DTYPE_FLOAT32';
}

function bytesPerElement(dtype: Dtype | string): number {
  if (dtype === 'DTYPE_FLOAT32' || dtype === 'DTYPE_UINT32') return 4;
  if (dtype === 'DTYPE_FLOAT64') return 8;
  throw new WireFormatError(`unknown vector dtype ${String(dtype)}`);
}

export function vectorHeader(vector: NumericVector, tensors: TensorSpec[] = []): VectorHeader {
  return { elementCount: vector.length, dtype: dtypeOf(vector), tensors };
}

/** Splits a vector into chunks without copying its bytes. */
export function* vectorChunks(vector: NumericVector, chunkBytes = DEFAULT_CHUNK_BYTES): Generator<VectorChunk> {
  const perChunk = Math.max(1, Math.floor(chunkBytes / vector.BYTES_PER_ELEMENT));
  for (let offset = 0; offset < vector.length; offset += perChunk) {
    const end = Math.min(vector.length, offset + perChunk);
    yield { offset, data: Buffer.from(vector.buffer, vector.byteOffset + offset * vector.BYTES_PER_ELEMENT, (end - offset) * vector.BYTES_PER_ELEMENT) };
  }
}

/** Rebuilds a vector from its header and chunks, refusing gaps, overlaps, overruns and truncation. */
export class VectorAssembler {
  readonly header: VectorHeader__Output;
  private readonly target: NumericVector;
  private readonly bytes: Uint8Array;
  private nextOffset = 0;

  constructor(header: VectorHeader__Output | null | undefined, limits: { maxElements?: number; expectedElements?: number } = {}) {
    if (!header) throw new WireFormatError('a vector header must come before its chunks');
    const count = Number(header.elementCount);
    const max = limits.maxElements ?? MAX_VECTOR_ELEMENTS;
    if (!Number.isSafeInteger(count) || count < 0 || count > max) {
      throw new WireFormatError(`vector announces ${count} elements; at most ${max} are accepted`, { elementCount: count, max });
    }
    if (limits.expectedElements !== undefined && count !== limits.expectedElements) {
      throw new WireFormatError(`vector has ${count} elements; expected ${limits.expectedElements}`, { elementCount: count, expected: limits.expectedElements });
    }
    bytesPerElement(header.dtype);
    this.header = header;
    this.target = header.dtype === 'DTYPE_FLOAT64' ? new Float64Array(count) : header.dtype === 'DTYPE_UINT32' ? new Uint32Array(count) : new Float32Array(count);
    this.bytes = new Uint8Array(this.target.buffer);
  }

  push(chunk: VectorChunk__Output | null | undefined): void {
    if (!chunk) throw new WireFormatError('empty vector chunk');
    const offset = Number(chunk.offset);
    if (offset !== this.nextOffset) {
      throw new WireFormatError(`vector chunk at element ${offset} arrived; expected element ${this.nextOffset}`, { offset, expected: this.nextOffset });
    }
    const width = this.target.BYTES_PER_ELEMENT;
    const data = chunk.data;
    if (data.length === 0 || data.length % width !== 0) {
      throw new WireFormatError(`vector chunk of ${data.length} bytes is not a whole number of ${width}-byte elements`);
    }
    const end = offset + data.length / width;
    if (end > this.target.length) {
      throw new WireFormatError(`vector chunk runs past the announced ${this.target.length} elements`, { end, elementCount: this.target.length });
    }
    this.bytes.set(data, offset * width);
    this.nextOffset = end;
  }

  get complete(): boolean {
    return this.nextOffset === this.target.length;
  }

  finish(): NumericVector {
    if (!this.complete) {
      throw new WireFormatError(`vector ended after ${this.nextOffset} of ${this.target.length} elements`, { received: this.nextOffset, elementCount: this.target.length });
    }
    return this.target;
  }
}
