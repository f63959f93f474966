/**
 * What goes into the trainer image: the compiled files trainer-main.js
 * reaches through require(), and the installed packages they need with their
 * own runtime dependencies — found by reading the code, not listed by hand,
 * so a new import cannot be forgotten. Dev dependencies never enter.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ImageBuildError } from './errors';

export const TRAINER_ENTRY = 'dist/participant-agent/trainer/trainer-main.js';
export const TRAINER_DOCKERFILE = 'participant-agent/images/trainer.Dockerfile';
export const CONTEXT_LABEL = 'shoal.trainer-context';

/**
 * Packages left out although the code names them: the native TensorFlow
 * binding is optional, needs libraries the base image lacks, and the trainer
 * falls back to the wasm backend without it.
 */
const EXCLUDED_PACKAGES = new Set(['@tensorflow/tfjs-node']);

export interface TrainerContextPlan {
  root: string;
  version: string;
  /** Compiled files, relative to the repository root (dist/…), with their source maps. */
  distFiles: string[];
  /** Package directories relative to the root (node_modules/…), outermost first. */
  packageDirs: string[];
  /** sha256 over the Dockerfile, every dist file and every package's name@version. */
  hash: string;
}

/** The repository root: the nearest folder above this file whose package.json names shoal. */
export function findRepositoryRoot(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'shoal') return dir;
    if (dirname(dir) === dir) throw new Error(`no shoal package.json above ${from}`);
  }
}

const builtins = new Set(builtinModules);
const REQUIRE = /\brequire\("([^"]+)"\)/g;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function resolveRelative(fromFile: string, specifier: string): string | null {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.js`, `${base}.json`, join(base, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Node's lookup: node_modules/<name> in this folder, then in each parent. */
function findPackage(fromDir: string, name: string, root: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

export function planTrainerContext(root: string = findRepositoryRoot()): TrainerContextPlan {
  const entry = join(root, TRAINER_ENTRY);
  if (!existsSync(entry)) throw new ImageBuildError('TRAINER_DIST_MISSING', `${TRAINER_ENTRY} is missing; run \`npm run build\` first`, { path: entry });

  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (!target) throw new ImageBuildError('TRAINER_DIST_MISSING', `${relative(root, file)} requires ${specifier}, which is not in dist/; run \`npm run build\``, { file });
        queue.push(target);
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }

  // Each package with its runtime dependencies, resolved the way node resolves them.
  const packageDirs = new Set<string>();
  const pending: Array<{ name: string; from: string; required: boolean }> = [...packages].map((name) => ({ name, from: root, required: !EXCLUDED_PACKAGES.has(name) }));
  while (pending.length > 0) {
    const { name, from, required } = pending.pop()!;
    if (EXCLUDED_PACKAGES.has(name)) continue;
    const dir = findPackage(from, name, root);
    if (!dir) {
      if (required) throw new ImageBuildError('TRAINER_DIST_MISSING', `the trainer needs the package ${name}, which is not installed; run \`npm ci\``, { package: name });
      continue;
    }
    if (packageDirs.has(dir)) continue;
    packageDirs.add(dir);
    const manifest = readManifest(dir);
    for (const dep of Object.keys(manifest.dependencies ?? {})) pending.push({ name: dep, from: dir, required: true });
    for (const dep of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies })) pending.push({ name: dep, from: dir, required: false });
  }

  const distFiles = [...files].flatMap((file) => (existsSync(`${file}.map`) ? [file, `${file}.map`] : [file])).map((file) => relative(root, file)).sort();
  const dirs = [...packageDirs].map((dir) => relative(root, dir)).sort((a, b) => a.length - b.length || a.localeCompare(b));

  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, TRAINER_DOCKERFILE)));
  for (const file of distFiles) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  for (const dir of dirs) {
    const manifest = readManifest(join(root, dir));
    hash.update(`\0${dir}\0${manifest.name}@${manifest.version}`);
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { root, version, distFiles, packageDirs: dirs, hash: hash.digest('hex') };
}

/** Writes the build context into `dir`: Dockerfile, package.json, dist/ and node_modules/. */
export function stageTrainerContext(plan: TrainerContextPlan, dir: string): void {
  cpSync(join(plan.root, TRAINER_DOCKERFILE), join(dir, 'Dockerfile'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'shoal-trainer', version: plan.version, private: true }, null, 2)}\n`);
  for (const file of plan.distFiles) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(plan.root, file), join(dir, file));
  }
  const copied: string[] = [];
  for (const pkg of plan.packageDirs) {
    // A package nested in one already copied came along with it.
    if (copied.some((parent) => pkg.startsWith(`${parent}${sep}`))) continue;
    cpSync(join(plan.root, pkg), join(dir, pkg), { recursive: true, filter: (source) => !source.split(sep).includes('.bin') });
    copied.push(pkg);
  }
}
