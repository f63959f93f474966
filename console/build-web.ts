/**
 * Bundles the two console pages for the browser: each entry point with
 * Preact and uPlot into one minified script, its stylesheets into one CSS
 * file, and its HTML page beside them, all under dist/console/web where the
 * console servers serve /assets/ from. Nothing is fetched from elsewhere at
 * run time, so the strict content security policy holds.
 *
 *   node dist/console/build-web.js
 */
import { build } from 'esbuild';
import { access, copyFile, mkdir, stat } from 'node:fs/promises';
import * as path from 'node:path';

export interface BuildWebOptions {
  /** The repository root; defaults to two levels above this compiled file (dist/console/). */
  repoRoot?: string;
  /** Where the pages go; defaults to <repoRoot>/dist/console/web. */
  outDir?: string;
}

export interface BuiltWeb {
  outDir: string;
  files: Array<{ name: string; bytes: number }>;
}

const PAGES = ['regulator', 'organisation'] as const;

export async function buildWeb(options: BuildWebOptions = {}): Promise<BuiltWeb> {
  const repoRoot = path.resolve(options.repoRoot ?? path.join(__dirname, '..', '..'));
  const webDir = path.join(repoRoot, 'console', 'web');
  const outDir = path.resolve(options.outDir ?? path.join(repoRoot, 'dist', 'console', 'web'));
  await access(path.join(webDir, 'tsconfig.json')).catch(() => {
    throw new Error(`no console sources at ${webDir} (is ${repoRoot} the repository root?)`);
  });
  await mkdir(outDir, { recursive: true });

  await build({
    absWorkingDir: repoRoot,
    entryPoints: PAGES.map((page) => path.join(webDir, `${page}.tsx`)),
    entryNames: '[name]',
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(webDir, 'tsconfig.json'),
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  for (const page of PAGES) await copyFile(path.join(webDir, `${page}.html`), path.join(outDir, `${page}.html`));

  const names = PAGES.flatMap((page) => [`${page}.html`, `${page}.js`, `${page}.css`]);
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: (await stat(path.join(outDir, name))).size })));
  return { outDir, files };
}

function describe(built: BuiltWeb): string {
  const list = built.files.map((file) => `${file.name} ${(file.bytes / 1024).toFixed(1)} KiB`).join(', ');
  return `build-web: wrote ${list} to ${path.relative(process.cwd(), built.outDir) || '.'}`;
}

if (require.main === module) {
  buildWeb()
    .then((built) => console.log(describe(built)))
    .catch((err: unknown) => {
      // esbuild has already printed each error with its file and line; this says what failed overall.
      const message = err instanceof Error ? err.message.split('\n')[0].replace(/:$/, '') : String(err);
      console.error(`build-web: the console pages could not be built: ${message}`);
      process.exitCode = 1;
    });
}
