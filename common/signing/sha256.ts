import { createHash } from 'node:crypto';

/** Hex SHA-256 of text (as UTF-8) or of a typed array's bytes. */
export function sha256Hex(data: ArrayBufferView | string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return createHash('sha256').update(bytes).digest('hex');
}
