/**
 * A minimal POSIX ustar writer: directories and regular files, streamed, so
 * that a base image can be imported from host files without a tar binary or a
 * tar library. Files are read in chunks; nothing is held in memory whole.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

export type TarEntry =
  | { type: 'directory'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; source: string }
  | { type: 'file'; path: string; mode: number; content: Buffer };

const BLOCK = 512;

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`tar field too small for ${value}`);
  header.write(`${digits}\0`, offset, length, 'ascii');
}

/** Splits a path into ustar's name (100 bytes) and prefix (155 bytes) fields. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let cut = path.indexOf('/'); cut > 0; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a ustar archive: ${path}`);
}

function header(path: string, type: '0' | '5', mode: number, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(path);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, mode & 0o7777);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0); // mtime: fixed, so the same inputs give the same archive
  block.fill(' ', 148, 156); // checksum counts as spaces while summing
  block.write(type, 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write('root', 265, 32, 'ascii');
  block.write('root', 297, 32, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

async function* archive(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const path = entry.path.replace(/^\/+/, '');
    if (entry.type === 'directory') {
      yield header(path.endsWith('/') ? path : `${path}/`, '5', entry.mode, 0);
      continue;
    }
    if ('content' in entry) {
      yield header(path, '0', entry.mode, entry.content.length);
      yield entry.content;
      yield padding(entry.content.length);
      continue;
    }
    const size = statSync(entry.source).size;
    yield header(path, '0', entry.mode, size);
    let written = 0;
    for await (const chunk of createReadStream(entry.source)) {
      written += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (written !== size) throw new Error(`${entry.source} changed size while it was archived (${size} → ${written} bytes)`);
    yield padding(size);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** A readable ustar stream of the entries, in the order given (list parent directories first). */
export function ustarStream(entries: TarEntry[]): Readable {
  return Readable.from(archive(entries), { objectMode: false });
}
