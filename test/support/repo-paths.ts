/**
 * Where the compiled components and the example files live, found from the
 * repository root (the folder holding package.json) so the helpers work from
 * the TypeScript sources that jest runs.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot(__dirname);

export const compiled = {
  shoal: join(repoRoot, 'dist', 'cli', 'shoal.js'),
  participantAgent: join(repoRoot, 'dist', 'participant-agent', 'main.js'),
  coordinator: join(repoRoot, 'dist', 'coordinator', 'main.js'),
  aggregator: join(repoRoot, 'dist', 'aggregator', 'main.js'),
} as const;

export const creditDefault = {
  csv: join(repoRoot, 'examples', 'credit-default', 'credit-default.csv'),
  jobSpec: join(repoRoot, 'examples', 'credit-default', 'job.yaml'),
} as const;

/** Fails early, with the fix, when the integration suites run before `npm run build`. */
export function assertBuilt(): void {
  const missing = Object.values(compiled).filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`compiled components missing (${missing.join(', ')}); run npm run build first`);
}
