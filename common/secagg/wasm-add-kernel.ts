/**
 * Adds or subtracts little-endian uint32 words into an accumulator, modulo
 * 2^32, with a tiny WebAssembly SIMD kernel (four words per i32x4 lane op),
 * or with a plain JS loop where WebAssembly SIMD is unavailable. Both give
 * bit-identical results.
 *
 * A WordAdder works on one accumulator chunk at a time: load() copies the
 * chunk into the kernel's memory, apply() adds one stream of words per call
 * (a keystream chunk straight from cipher.update, any byte alignment), and
 * store() copies the chunk back. Mask expansion loads each chunk once and
 * applies every mask to it. A WordAdder holds that state between calls, so
 * code that awaits between load() and store() needs its own WordAdder.
 *
 * The kernel, in WAT (the bytes below are built from exactly this):
 *
 *   (module
 *     (memory (export "memory") 1)
 *     ;; for (; acc < end; acc += 16, src += 16) v128[acc] = v128[acc] + v128[src]
 *     (func (export "add") (param $acc i32) (param $src i32) (param $end i32)
 *       (block $done
 *         (loop $next
 *           (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
 *           (v128.store (local.get $acc)
 *             (i32x4.add (v128.load (local.get $acc)) (v128.load (local.get $src))))
 *           (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
 *           (local.set $src (i32.add (local.get $src) (i32.const 16)))
 *           (br $next))))
 *     ;; the same with i32x4.sub: v128[acc] = v128[acc] - v128[src]
 *     (func (export "sub") (param $acc i32) (param $src i32) (param $end i32) ...))
 *
 * Lanes wrap modulo 2^32, as Uint32Array stores do. The kernel works in
 * whole 16-byte vectors, so both regions are padded to a multiple of 16
 * bytes; the padding words are computed on and never copied back.
 */

// ---- A minimal WebAssembly binary encoder: just what the kernel needs. ----

/** Unsigned LEB128, the encoding of every count, index and size in a module. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return out;
}

/** A vector: its element count, then the elements. */
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A name: its UTF-8 length, then the bytes. */
const utf8Name = (name: string): number[] => [...uleb(Buffer.byteLength(name)), ...Buffer.from(name, 'utf8')];
/** A section: id, byte size, contents. */
const section = (id: number, contents: number[]): number[] => [id, ...uleb(contents.length), ...contents];

const I32 = 0x7f;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  /** Block type of a block or loop that leaves nothing on the stack. */
  void: 0x40,
  /** Prefix of the SIMD instructions; the instruction number follows as LEB128. */
  simd: 0xfd,
} as const;
const SIMD_V128_LOAD = 0x00;
const SIMD_V128_STORE = 0x0b;
const SIMD_I32X4_ADD = 0xae;
const SIMD_I32X4_SUB = 0xb1;
/** memarg of a v128 load or store: alignment hint 2^4 = 16 bytes, offset 0. */
const V128_MEMARG = [4, 0];

const ACC = 0;
const SRC = 1;
const END = 2;

/** The body of add or sub: the loop in the WAT above, with `lanes` as its one arithmetic instruction. */
function kernelBody(lanes: number): number[] {
  const bump = (local: number): number[] => [op.localGet, local, op.i32Const, ...uleb(16), op.i32Add, op.localSet, local];
  const code = [
    0, // no locals besides the three parameters
    op.block, op.void,
    op.loop, op.void,
    // if (acc >= end) break out of the block (label depth 1)
    op.localGet, ACC, op.localGet, END, op.i32GeU, op.brIf, 1,
    // v128.store(acc, lanes(v128.load(acc), v128.load(src)))
    op.localGet, ACC,
    op.localGet, ACC, op.simd, ...uleb(SIMD_V128_LOAD), ...V128_MEMARG,
    op.localGet, SRC, op.simd, ...uleb(SIMD_V128_LOAD), ...V128_MEMARG,
    op.simd, ...uleb(lanes),
    op.simd, ...uleb(SIMD_V128_STORE), ...V128_MEMARG,
    ...bump(ACC),
    ...bump(SRC),
    op.br, 0, // back to the top of the loop (label depth 0)
    op.end, // loop
    op.end, // block
    op.end, // function
  ];
  return [...uleb(code.length), ...code];
}

function encodeKernel(): Uint8Array {
  return Uint8Array.from([
    // magic "\0asm", binary format version 1
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // type section: one function type, (i32, i32, i32) -> ()
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32]]), ...vec([])]])),
    // function section: functions 0 (add) and 1 (sub), both of type 0
    ...section(3, vec([[0], [0]])),
    // memory section: one memory, limits flag 0 (no maximum), minimum 1 page of 64 KiB
    ...section(5, vec([[0x00, 1]])),
    // export section: "memory" (kind 2, memory 0), "add" (kind 0, function 0), "sub" (kind 0, function 1)
    ...section(7, vec([
      [...utf8Name('memory'), 0x02, 0],
      [...utf8Name('add'), 0x00, 0],
      [...utf8Name('sub'), 0x00, 1],
    ])),
    // code section: the two bodies
    ...section(10, vec([kernelBody(SIMD_I32X4_ADD), kernelBody(SIMD_I32X4_SUB)])),
  ]);
}

/** The kernel's module bytes; WorkerMaskExpander hands them to its workers. */
export const ADD_KERNEL_WASM: Uint8Array = encodeKernel();

// ---- Word adders ----

/** The slice of the WebAssembly JS API used here; this project's TypeScript libs (ES2022, no DOM) do not declare it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly compiled: unique symbol;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { readonly exports: unknown };
};

export interface WordAdder {
  readonly kind: 'wasm-simd' | 'js';
  /** acc[k] = acc[k] + sign · words[k] mod 2^32 for every k < acc.length; `words` is at least as long as acc. */
  addInto(acc: Uint32Array, words: Uint32Array, sign: 1 | -1): void;
  /** Starts work on one accumulator chunk. */
  load(acc: Uint32Array): void;
  /** Adds sign · words into the loaded chunk; `words` holds exactly as many little-endian words as the chunk (bytes in any alignment). */
  apply(words: Uint8Array | Uint32Array, sign: 1 | -1): void;
  /** Writes the loaded chunk back into the array given to load(). */
  store(): void;
}

/** addInto works through the kernel's memory this many words at a time. */
const ADD_INTO_CHUNK_WORDS = 16384;
const PAGE_BYTES = 65536;
const pad16 = (bytes: number): number => (bytes + 15) & ~15;

function bytesOf(words: Uint8Array | Uint32Array): Uint8Array {
  return words instanceof Uint8Array ? words : new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

function wordsOf(words: Uint8Array | Uint32Array): Uint32Array {
  if (words instanceof Uint32Array) return words;
  if ((words.byteOffset & 3) === 0) return new Uint32Array(words.buffer, words.byteOffset, words.length >>> 2);
  const copy = new Uint8Array(words.length);
  copy.set(words);
  return new Uint32Array(copy.buffer);
}

function checkLengths(chunkBytes: number, wordBytes: number): void {
  if (wordBytes !== chunkBytes) throw new RangeError(`apply() got ${wordBytes / 4} words for a loaded chunk of ${chunkBytes / 4}`);
}

/** The reference: Uint32Array stores reduce modulo 2^32, negative differences included. */
export class JsWordAdder implements WordAdder {
  readonly kind = 'js';
  private chunk: Uint32Array | undefined;

  addInto(acc: Uint32Array, words: Uint32Array, sign: 1 | -1): void {
    if (sign === 1) for (let k = 0; k < acc.length; k++) acc[k] += words[k];
    else for (let k = 0; k < acc.length; k++) acc[k] -= words[k];
  }

  load(acc: Uint32Array): void {
    this.chunk = acc;
  }

  apply(words: Uint8Array | Uint32Array, sign: 1 | -1): void {
    const chunk = this.chunk as Uint32Array;
    checkLengths(chunk.byteLength, words.byteLength);
    this.addInto(chunk, wordsOf(words), sign);
  }

  store(): void {
    this.chunk = undefined;
  }
}

interface KernelExports {
  memory: WasmMemory;
  add: (acc: number, src: number, end: number) => void;
  sub: (acc: number, src: number, end: number) => void;
}

/** One instance of the kernel, with its own memory: the chunk at offset 0, the words to add right after it. */
export class WasmWordAdder implements WordAdder {
  readonly kind = 'wasm-simd';
  private readonly kernel: KernelExports;
  private heap: Uint8Array;
  private chunk: Uint8Array | undefined;
  /** Where the words to add go: just past the loaded chunk, padded to 16 bytes. */
  private src = 0;

  constructor(module: WasmModule) {
    this.kernel = new WebAssembly.Instance(module).exports as unknown as KernelExports;
    this.heap = new Uint8Array(this.kernel.memory.buffer);
  }

  addInto(acc: Uint32Array, words: Uint32Array, sign: 1 | -1): void {
    for (let start = 0; start < acc.length; start += ADD_INTO_CHUNK_WORDS) {
      const end = Math.min(acc.length, start + ADD_INTO_CHUNK_WORDS);
      this.load(acc.subarray(start, end));
      this.apply(words.subarray(start, end), sign);
      this.store();
    }
  }

  load(acc: Uint32Array): void {
    const bytes = bytesOf(acc);
    this.src = pad16(bytes.length);
    const needed = 2 * this.src;
    const memory = this.kernel.memory;
    if (memory.buffer.byteLength < needed) {
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
      // Growing detaches the old buffer.
      this.heap = new Uint8Array(memory.buffer);
    }
    this.heap.set(bytes, 0);
    this.chunk = bytes;
  }

  apply(words: Uint8Array | Uint32Array, sign: 1 | -1): void {
    const chunk = this.chunk as Uint8Array;
    const bytes = bytesOf(words);
    checkLengths(chunk.length, bytes.length);
    this.heap.set(bytes, this.src);
    (sign === 1 ? this.kernel.add : this.kernel.sub)(0, this.src, pad16(chunk.length));
  }

  store(): void {
    const chunk = this.chunk as Uint8Array;
    chunk.set(this.heap.subarray(0, chunk.length));
    this.chunk = undefined;
  }
}

let compiled: WasmModule | null | undefined;

/** The compiled kernel, or null where this runtime lacks WebAssembly SIMD or is big-endian (the kernel copies words as bytes). */
function kernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
  try {
    if (littleEndian && typeof WebAssembly === 'object' && WebAssembly.validate(ADD_KERNEL_WASM)) compiled = new WebAssembly.Module(ADD_KERNEL_WASM);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether the WebAssembly SIMD kernel runs here. */
export function wasmAddKernelAvailable(): boolean {
  return kernelModule() !== null;
}

/** A new WordAdder: the wasm kernel where available, else the JS loop. */
export function createWordAdder(kind: 'wasm-simd' | 'js' = 'wasm-simd'): WordAdder {
  const module = kind === 'wasm-simd' ? kernelModule() : null;
  return module === null ? new JsWordAdder() : new WasmWordAdder(module);
}

let shared: WordAdder | undefined;

/** acc += sign · words, elementwise mod 2^32, with one WordAdder per thread (safe: addInto never yields). */
export function addWordsInto(acc: Uint32Array, words: Uint32Array, sign: 1 | -1): void {
  shared ??= createWordAdder();
  shared.addInto(acc, words, sign);
}
