/** Scratch folders under the OS temp dir, one per suite, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `shoal-${prefix}-`));
}

/** Kept when SHOAL_KEEP_TEST_DIRS is set, so the logs of a failed run can be read. */
export function removeTempDir(dir: string | undefined): void {
  if (!dir || process.env.SHOAL_KEEP_TEST_DIRS) return;
  rmSync(dir, { recursive: true, force: true });
}
