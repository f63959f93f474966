/**
 * What goes into an image that runs Shoal's compiled code: the dist/ files
 * its entry points reach through require(), the files they read from disk at
 * run time (the .proto contracts), and the installed packages they need with
 * their own runtime dependencies — found by reading the code, not listed by
 * hand, so a new import cannot be forgotten. Dev dependencies never enter.
 * Whole package folders go in, so files a package loads by path (the wasm
 * backend's .wasm binaries) come along. The context is streamed to the engine
 * as a tar archive of the files where they lie.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { ImageBuildError, type ImageBuildErrorCode } from './errors';
import type { TarEntry } from './ustar-writer';

/** Files copied as they are, not followed: every file under `dir` whose name ends with one of `extensions`. */
export interface ContextAssets {
  dir: string;
  extensions: string[];
}

export interface ImageContextSpec {
  /** The image's name (shoal-trainer), for messages and the staged package.json. */
  name: string;
  /** The Dockerfile, relative to the repository root. */
  dockerfile: string;
  /** Compiled entry points relative to the root (dist/…): each is followed through require(). */
  entries: string[];
  /** Data the code reads from disk at run time. */
  assets: ContextAssets[];
  /** The image label that carries the plan's hash. */
  contextLabel: string;
  /** The error code for a missing dist/ file or package. */
  missingCode: ImageBuildErrorCode;
}

export interface ImageContextPlan {
  root: string;
  name: string;
  dockerfile: string;
  contextLabel: string;
  version: string;
  /** Compiled files, relative to the repository root (dist/…), with their source maps. */
  distFiles: string[];
  /** Asset files relative to the root (proto/…). */
  assetFiles: string[];
  /** Package directories relative to the root (node_modules/…), outermost first. */
  packageDirs: string[];
  /** sha256 over the Dockerfile, every dist and asset file and every package's name@version. */
  hash: string;
}

/** The .proto contracts common/grpc/proto.ts loads from disk (it looks for proto/ above dist/). */
const PROTO_ASSETS: ContextAssets = { dir: 'proto/shoal', extensions: ['.proto'] };
/** The web console's page, scripts and styles (served by the agent and by `shoal console serve`), read at run time. */
const CONSOLE_ASSETS: ContextAssets = { dir: 'dist/console/web', extensions: ['.html', '.js', '.css'] };

export const TRAINER_CONTEXT: ImageContextSpec = {
  name: 'shoal-trainer',
  dockerfile: 'participant-agent/images/trainer.Dockerfile',
  entries: ['dist/participant-agent/trainer/trainer-main.js'],
  assets: [],
  contextLabel: 'shoal.trainer-context',
  missingCode: 'TRAINER_DIST_MISSING',
};

/**
 * The participant agent daemon, plus the CLI for `shoal agent …` moderator
 * commands inside its container, plus the sandbox proxy (run from this image
 * in front of the host's engine), plus the trainer so `sandbox.type: process`
 * also works there (the process sandbox runs trainer-main.js by path).
 */
export const AGENT_CONTEXT: ImageContextSpec = {
  name: 'shoal-agent',
  dockerfile: 'participant-agent/images/agent.Dockerfile',
  entries: ['dist/participant-agent/main.js', 'dist/cli/shoal.js', 'dist/participant-agent/sandbox-proxy/main.js', 'dist/participant-agent/trainer/trainer-main.js'],
  assets: [PROTO_ASSETS, CONSOLE_ASSETS],
  contextLabel: 'shoal.image-context',
  missingCode: 'DIST_MISSING',
};

/** The regulator's side: the CLI, and the coordinator and aggregator it spawns by path with process.execPath. */
export const COORDINATOR_CONTEXT: ImageContextSpec = {
  name: 'shoal-coordinator',
  dockerfile: 'participant-agent/images/coordinator.Dockerfile',
  entries: ['dist/cli/shoal.js', 'dist/coordinator/main.js', 'dist/aggregator/main.js'],
  assets: [PROTO_ASSETS, CONSOLE_ASSETS],
  contextLabel: 'shoal.image-context',
  missingCode: 'DIST_MISSING',
};

/**
 * Packages left out although the code names them: the native TensorFlow
 * binding is optional, needs libraries the base image lacks, and the code
 * falls back to the wasm or cpu backend without it.
 */
const EXCLUDED_PACKAGES = new Set(['@tensorflow/tfjs-node']);

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

/** Every file below `dir` (absolute) ending with one of `extensions`. */
function listFiles(dir: string, extensions: string[]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path, extensions);
    return entry.isFile() && extensions.some((ext) => entry.name.endsWith(ext)) ? [path] : [];
  });
}

/** The dist/ files the entries reach and the bare package names they require. */
function followRequires(spec: ImageContextSpec, root: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = spec.entries.map((entry) => {
    const path = join(root, entry);
    if (!existsSync(path)) throw new ImageBuildError(spec.missingCode, `${entry} is missing; run \`npm run build\` first`, { image: spec.name, path });
    return path;
  });
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (!target) throw new ImageBuildError(spec.missingCode, `${relative(root, file)} requires ${specifier}, which is not in dist/; run \`npm run build\``, { image: spec.name, file });
        queue.push(target);
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }
  return { files, packages };
}

/** Each package with its runtime dependencies, resolved the way node resolves them. */
function resolvePackages(spec: ImageContextSpec, root: string, packages: Set<string>): Set<string> {
  const packageDirs = new Set<string>();
  const pending: Array<{ name: string; from: string; required: boolean }> = [...packages].map((name) => ({ name, from: root, required: true }));
  while (pending.length > 0) {
    const { name, from, required } = pending.pop()!;
    if (EXCLUDED_PACKAGES.has(name)) continue;
    const dir = findPackage(from, name, root);
    if (!dir) {
      if (required) throw new ImageBuildError(spec.missingCode, `${spec.name} needs the package ${name}, which is not installed; run \`npm ci\``, { image: spec.name, package: name });
      continue;
    }
    if (packageDirs.has(dir)) continue;
    packageDirs.add(dir);
    const manifest = readManifest(dir);
    for (const dep of Object.keys(manifest.dependencies ?? {})) pending.push({ name: dep, from: dir, required: true });
    for (const dep of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies })) pending.push({ name: dep, from: dir, required: false });
  }
  return packageDirs;
}

export function planImageContext(spec: ImageContextSpec, root: string = findRepositoryRoot()): ImageContextPlan {
  const { files, packages } = followRequires(spec, root);
  const packageDirs = resolvePackages(spec, root, packages);

  const distFiles = [...files].flatMap((file) => (existsSync(`${file}.map`) ? [file, `${file}.map`] : [file])).map((file) => relative(root, file)).sort();
  const assetFiles = spec.assets
    .flatMap((assets) => {
      const dir = join(root, assets.dir);
      if (!existsSync(dir)) throw new ImageBuildError(spec.missingCode, `${assets.dir} is missing; ${spec.name} reads it at run time`, { image: spec.name, path: dir });
      return listFiles(dir, assets.extensions);
    })
    .map((file) => relative(root, file))
    .sort();
  const dirs = [...packageDirs].map((dir) => relative(root, dir)).sort((a, b) => a.length - b.length || a.localeCompare(b));

  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, spec.dockerfile)));
  for (const file of distFiles) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  for (const dir of dirs) {
    const manifest = readManifest(join(root, dir));
    hash.update(`\0${dir}\0${manifest.name}@${manifest.version}`);
  }
  // After the packages, so a plan without assets hashes as it did before assets existed.
  for (const file of assetFiles) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { root, name: spec.name, dockerfile: spec.dockerfile, contextLabel: spec.contextLabel, version, distFiles, assetFiles, packageDirs: dirs, hash: hash.digest('hex') };
}

/** Every file below `dir`, without `.bin` folders (links into packages that may be left out); symbolic links are followed. */
function packageFiles(root: string, dir: string, into: TarEntry[], seen: Set<string>): void {
  const real = realpathSync(join(root, dir));
  if (seen.has(real)) return;
  seen.add(real);
  into.push({ type: 'directory', path: dir, mode: statSync(real).mode & 0o777 });
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name === '.bin') continue;
    const path = `${dir}/${entry.name}`;
    const stat = statSync(join(root, path));
    if (stat.isDirectory()) packageFiles(root, path, into, seen);
    else if (stat.isFile()) into.push({ type: 'file', path, mode: stat.mode & 0o777, source: join(root, path) });
  }
}

/**
 * The build context as archive entries, read from the checkout where they
 * lie: Dockerfile, package.json, dist/, node_modules/ and the assets. Nothing
 * is copied first; on some file systems writing and deleting thousands of
 * small files costs more than the build.
 */
export function imageContextEntries(plan: ImageContextPlan): TarEntry[] {
  const manifest = Buffer.from(`${JSON.stringify({ name: plan.name, version: plan.version, private: true }, null, 2)}\n`);
  const files: TarEntry[] = [
    { type: 'file', path: 'Dockerfile', mode: 0o644, source: join(plan.root, plan.dockerfile) },
    { type: 'file', path: 'package.json', mode: 0o644, content: manifest },
    ...[...plan.distFiles, ...plan.assetFiles].map((file): TarEntry => ({ type: 'file', path: file.split(sep).join('/'), mode: 0o644, source: join(plan.root, file) })),
  ];
  const directories = new Set<string>();
  for (const file of files) {
    for (let dir = posix.dirname(file.path); dir !== '.'; dir = posix.dirname(dir)) directories.add(dir);
  }
  const packages: TarEntry[] = [];
  const copied: string[] = [];
  const seen = new Set<string>();
  for (const pkg of plan.packageDirs.map((dir) => dir.split(sep).join('/'))) {
    // A package nested in one already listed came along with it.
    if (copied.some((parent) => pkg.startsWith(`${parent}/`))) continue;
    for (let dir = posix.dirname(pkg); dir !== '.'; dir = posix.dirname(dir)) directories.add(dir);
    packageFiles(plan.root, pkg, packages, seen);
    copied.push(pkg);
  }
  return [...[...directories].sort().map((path): TarEntry => ({ type: 'directory', path, mode: 0o755 })), ...files, ...packages];
}

/** Writes the build context into `dir` (for looking at it; builds stream the entries instead). */
export function stageImageContext(plan: ImageContextPlan, dir: string): void {
  writeContextEntries(imageContextEntries(plan), dir);
}

/** Writes archive entries below `dir`, as the engine would unpack them. */
export function writeContextEntries(entries: TarEntry[], dir: string): void {
  for (const entry of entries) {
    const target = join(dir, entry.path);
    if (entry.type === 'directory') {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    if ('content' in entry) writeFileSync(target, entry.content);
    else copyFileSync(entry.source, target);
    chmodSync(target, entry.mode);
  }
}
