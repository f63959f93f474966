/**
 * Expands masks (AES-256-CTR keystream from a zero IV, read as little-endian
 * uint32 words) and adds or subtracts them straight into an accumulator,
 * modulo 2^32. Keystream is produced in 64 KiB chunks, chunk by chunk across
 * all masks, so no mask ever exists as a whole d-element buffer and the
 * accumulator's current chunk stays in cache. Each chunk is loaded into the
 * add kernel once (wasm-add-kernel.ts: WebAssembly SIMD, or a JS loop), every
 * mask's keystream for it is added or subtracted there, and it is stored back.
 *
 * Word k of a mask lies in counter block floor(k / 4), so any slice that
 * starts at a multiple of 4 words can be expanded on its own by starting the
 * counter there: that is how WorkerMaskExpander splits the work.
 */
import { createCipheriv } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { SecAggError } from './errors';
import { ADD_KERNEL_WASM, createWordAdder } from './wasm-add-kernel';

export interface MaskJob {
  /** 32-byte AES key. */
  key: Uint8Array;
  sign: 1 | -1;
}

export interface MaskExpander {
  /** acc += Σ sign · PRG(key), elementwise mod 2^32. */
  addMasks(acc: Uint32Array, masks: MaskJob[]): Promise<void>;
  close(): Promise<void>;
}

/** 16384 words = 64 KiB of keystream per mask per step. */
export const MASK_CHUNK_WORDS = 16384;
const ZEROS = Buffer.alloc(MASK_CHUNK_WORDS * 4);
const YIELD_AFTER_MS = 10;

/** A Uint32Array on a SharedArrayBuffer, which WorkerMaskExpander fills in place. */
export function sharedUint32Array(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * Uint32Array.BYTES_PER_ELEMENT));
}

function checkMasks(masks: readonly MaskJob[]): void {
  masks.forEach((mask, i) => {
    if (!(mask.key instanceof Uint8Array) || mask.key.length !== 32) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', `mask ${i} has a ${mask.key?.length ?? 'missing'}-byte key; 32 bytes are required`, { phase: 'mask-expansion', mask: i });
    }
    if (mask.sign !== 1 && mask.sign !== -1) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', `mask ${i} has sign ${String(mask.sign)}; 1 or -1 is required`, { phase: 'mask-expansion', mask: i });
    }
  });
}

/** The 16-byte big-endian counter block at which a slice's keystream starts. */
function counterBlock(block: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(Math.floor(block / 2 ** 32), 8);
  iv.writeUInt32BE(block >>> 0, 12);
  return iv;
}

/** Expands every mask for all of `acc`; yields to the event loop every few milliseconds. */
async function expandInline(acc: Uint32Array, masks: readonly MaskJob[]): Promise<void> {
  // One cipher per mask, kept across chunks: update() continues its counter.
  const ciphers = masks.map((mask) => createCipheriv('aes-256-ctr', mask.key, counterBlock(0)));
  // Its own adder: it holds the loaded chunk across the awaits below.
  const adder = createWordAdder();
  let lastYield = Date.now();
  for (let offset = 0; offset < acc.length; offset += MASK_CHUNK_WORDS) {
    const count = Math.min(MASK_CHUNK_WORDS, acc.length - offset);
    const input = count === MASK_CHUNK_WORDS ? ZEROS : ZEROS.subarray(0, count * 4);
    adder.load(acc.subarray(offset, offset + count));
    for (let m = 0; m < ciphers.length; m++) adder.apply(ciphers[m].update(input), masks[m].sign);
    adder.store();
    if (Date.now() - lastYield >= YIELD_AFTER_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
}

/** Expands on the calling thread. */
export class InlineMaskExpander implements MaskExpander {
  async addMasks(acc: Uint32Array, masks: MaskJob[]): Promise<void> {
    checkMasks(masks);
    if (masks.length === 0 || acc.length === 0) return;
    await expandInline(acc, masks);
  }

  async close(): Promise<void> {}
}

// Plain CommonJS so it runs the same from dist/ and under ts-jest. Mirrors expandInline over one slice,
// with the add kernel of wasm-add-kernel.ts instantiated from workerData.kernel, or a JS loop where it fails.
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createCipheriv } = require('node:crypto');
const CHUNK_WORDS = ${MASK_CHUNK_WORDS};
const CHUNK_BYTES = CHUNK_WORDS * 4;
const zeros = Buffer.alloc(CHUNK_BYTES);
function counterBlock(block) {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(Math.floor(block / 4294967296), 8);
  iv.writeUInt32BE(block >>> 0, 12);
  return iv;
}
function asWords(stream) {
  if ((stream.byteOffset & 3) === 0) return new Uint32Array(stream.buffer, stream.byteOffset, stream.length >>> 2);
  const copy = new Uint8Array(stream.length);
  copy.set(stream);
  return new Uint32Array(copy.buffer);
}
// The chunk at offset 0 of the kernel's memory, keystream at CHUNK_BYTES; two chunks fit in 2 pages.
function startKernel(bytes) {
  try {
    if (!bytes || new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) return null;
    const kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    const pages = Math.ceil((2 * CHUNK_BYTES) / 65536) - kernel.memory.buffer.byteLength / 65536;
    if (pages > 0) kernel.memory.grow(pages);
    return { add: kernel.add, sub: kernel.sub, heap: new Uint8Array(kernel.memory.buffer) };
  } catch {
    return null;
  }
}
const kernel = startKernel(workerData && workerData.kernel);
function expandChunk(acc, offset, count, ciphers, masks, input) {
  if (kernel === null) {
    for (let m = 0; m < ciphers.length; m++) {
      const stream = asWords(ciphers[m].update(input));
      if (masks[m].sign === 1) for (let k = 0; k < count; k++) acc[offset + k] += stream[k];
      else for (let k = 0; k < count; k++) acc[offset + k] -= stream[k];
    }
    return;
  }
  const chunk = new Uint8Array(acc.buffer, acc.byteOffset + offset * 4, count * 4);
  const end = (count * 4 + 15) & ~15;
  kernel.heap.set(chunk, 0);
  for (let m = 0; m < ciphers.length; m++) {
    kernel.heap.set(ciphers[m].update(input), CHUNK_BYTES);
    (masks[m].sign === 1 ? kernel.add : kernel.sub)(0, CHUNK_BYTES, end);
  }
  chunk.set(kernel.heap.subarray(0, count * 4));
}
parentPort.on('message', (job) => {
  try {
    const acc = new Uint32Array(job.buffer, job.byteOffset, job.length);
    const ciphers = job.masks.map((mask) => createCipheriv('aes-256-ctr', mask.key, counterBlock(job.firstBlock)));
    for (let offset = 0; offset < acc.length; offset += CHUNK_WORDS) {
      const count = Math.min(CHUNK_WORDS, acc.length - offset);
      expandChunk(acc, offset, count, ciphers, job.masks, count === CHUNK_WORDS ? zeros : zeros.subarray(0, count * 4));
    }
    parentPort.postMessage({ id: job.id });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
`;

/** Below this, one more slice costs more in messaging than it saves. */
const MIN_SLICE_WORDS = MASK_CHUNK_WORDS;

interface PendingSlice {
  worker: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Splits the element range into contiguous slices, one per worker thread;
 * each worker expands every mask over its slice of a shared accumulator.
 * Gives exactly the result of InlineMaskExpander. An accumulator not on a
 * SharedArrayBuffer is copied through one.
 */
export class WorkerMaskExpander implements MaskExpander {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly pending = new Map<number, PendingSlice>();
  private nextId = 1;
  private failure: Error | undefined;
  private closed = false;

  constructor(workers: number) {
    if (!Number.isSafeInteger(workers) || workers < 1) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', `worker count must be a whole number >= 1, got ${workers}`, { phase: 'mask-expansion' });
    }
    this.workers = Array.from({ length: workers }, (_, index) => this.startWorker(index));
    this.busy = this.workers.map(() => 0);
  }

  private startWorker(index: number): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { kernel: ADD_KERNEL_WASM } });
    worker.on('message', (reply: { id: number; error?: string }) => this.settle(reply));
    worker.on('error', (err) => this.fail(new SecAggError('SECAGG_BAD_MESSAGE', `mask worker ${index} failed: ${err.message}`, { phase: 'mask-expansion' }, err)));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new SecAggError('SECAGG_BAD_MESSAGE', `mask worker ${index} exited with code ${code}`, { phase: 'mask-expansion' }));
    });
    // Idle workers must not keep the process alive; a worker is referenced only while it has slices in flight.
    worker.unref();
    return worker;
  }

  private settle(reply: { id: number; error?: string }): void {
    const slice = this.pending.get(reply.id);
    if (slice === undefined) return;
    this.pending.delete(reply.id);
    if (--this.busy[slice.worker] === 0) this.workers[slice.worker].unref();
    if (reply.error === undefined) slice.resolve();
    else slice.reject(new SecAggError('SECAGG_BAD_MESSAGE', `mask worker ${slice.worker} failed: ${reply.error}`, { phase: 'mask-expansion' }));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const [id, slice] of this.pending) {
      this.pending.delete(id);
      slice.reject(err);
    }
  }

  private runSlice(worker: number, acc: Uint32Array, start: number, end: number, masks: MaskJob[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { worker, resolve, reject });
      if (this.busy[worker]++ === 0) this.workers[worker].ref();
      this.workers[worker].postMessage({
        id,
        buffer: acc.buffer,
        byteOffset: acc.byteOffset + start * 4,
        length: end - start,
        firstBlock: start / 4,
        masks: masks.map((mask) => ({ key: mask.key, sign: mask.sign })),
      });
    });
  }

  async addMasks(acc: Uint32Array, masks: MaskJob[]): Promise<void> {
    checkMasks(masks);
    if (this.closed) throw new SecAggError('SECAGG_OUT_OF_ORDER', 'the mask expander is closed', { phase: 'mask-expansion' });
    if (this.failure !== undefined) throw this.failure;
    if (masks.length === 0 || acc.length === 0) return;
    if (!(acc.buffer instanceof SharedArrayBuffer)) {
      const shared = sharedUint32Array(acc.length);
      shared.set(acc);
      await this.addMasks(shared, masks);
      acc.set(shared);
      return;
    }
    const slices = Math.max(1, Math.min(this.workers.length, Math.floor(acc.length / MIN_SLICE_WORDS)));
    // Slice starts are multiples of 4 words, i.e. whole counter blocks.
    const perSlice = Math.ceil(acc.length / slices / 4) * 4;
    const runs: Array<Promise<void>> = [];
    for (let w = 0; w < slices; w++) {
      const start = w * perSlice;
      const end = Math.min(acc.length, start + perSlice);
      if (start < end) runs.push(this.runSlice(w, acc, start, end, masks));
    }
    await Promise.all(runs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new SecAggError('SECAGG_OUT_OF_ORDER', 'the mask expander was closed with masks in flight', { phase: 'mask-expansion' }));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * 0: inline on the calling thread; 1 or more: that many worker threads.
 *
 * One worker is still one core of work, but it is the faster core: every
 * cipher.update returns a freshly allocated buffer, and V8 answers each few
 * tens of MB of such buffers with a scavenge whose cost grows with the
 * isolate's heap. A worker's isolate holds only the cipher state, so those
 * scavenges stay cheap; on the main thread of a process with a large heap
 * (an aggregator with many sessions, the benchmark) they cost about as much
 * as the keystream itself.
 */
export function createMaskExpander(workers: number): MaskExpander {
  return workers < 1 ? new InlineMaskExpander() : new WorkerMaskExpander(workers);
}
