/**
 * A base image made from the host's own node: the binary at
 * process.execPath, every shared library ldd resolves for it (the loader
 * included), minimal /etc/passwd and /etc/group with `nobody`, and an empty
 * /tmp. No shell, no package manager, nothing pulled from a registry: it is
 * what the trainer image builds FROM on machines that cannot reach one.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import type Dockerode from 'dockerode';
import { errorMessage } from '../../common/errors';
import { followProgress, inspectImage, requireEngine, splitReference } from './engine';
import { ImageBuildError } from './errors';
import { ustarStream, type TarEntry } from './ustar-writer';

export const LOCAL_BASE_IMAGE = 'shoal-node-base:20';
/** Where node lies in the image, on the default PATH like the official node images. */
export const IMAGE_NODE_PATH = '/usr/local/bin/node';
export const NODE_VERSION_LABEL = 'shoal.node-version';

export interface NodeRuntime {
  /** The real file of the node binary. */
  binary: string;
  /** Each library at the path the loader looks for it, and the real file to copy there. */
  libraries: Array<{ path: string; source: string }>;
}

/** The libraries `ldd` names for the binary; a static binary has none. */
export function resolveNodeRuntime(execPath: string = process.execPath): NodeRuntime {
  const binary = realpathSync(execPath);
  let output: string;
  try {
    output = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const text = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(text)) return { binary, libraries: [] };
    throw new ImageBuildError('NODE_RUNTIME_UNRESOLVED', `cannot list the shared libraries of ${binary} with ldd: ${text.trim() || errorMessage(err)}`, { binary }, err);
  }
  const libraries: NodeRuntime['libraries'] = [];
  for (const line of output.split('\n')) {
    const linked = /^\s*(\S+)\s+=>\s+(\S+)/.exec(line);
    const loader = /^\s*(\/\S+)\s+\(0x/.exec(line);
    const path = linked ? linked[2] : loader?.[1];
    if (linked && !linked[2].startsWith('/')) {
      throw new ImageBuildError('NODE_RUNTIME_UNRESOLVED', `${binary} needs ${linked[1]}, which ldd cannot find`, { binary, library: linked[1] });
    }
    if (path && !libraries.some((library) => library.path === path)) libraries.push({ path, source: realpathSync(path) });
  }
  return { binary, libraries };
}

/** The archive's entries: parent directories first, then files. */
export function baseImageEntries(runtime: NodeRuntime): TarEntry[] {
  const files: TarEntry[] = [
    { type: 'file', path: IMAGE_NODE_PATH, mode: 0o755, source: runtime.binary },
    ...runtime.libraries.map((library): TarEntry => ({ type: 'file', path: library.path, mode: statSync(library.source).mode & 0o777, source: library.source })),
    { type: 'file', path: '/etc/passwd', mode: 0o644, content: Buffer.from('root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n') },
    { type: 'file', path: '/etc/group', mode: 0o644, content: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
  ];
  const directories = new Set<string>();
  for (const file of files) {
    for (let dir = posix.dirname(file.path); dir !== '/'; dir = posix.dirname(dir)) directories.add(dir);
  }
  return [
    ...[...directories].sort().map((path): TarEntry => ({ type: 'directory', path, mode: 0o755 })),
    { type: 'directory', path: '/tmp', mode: 0o1777 },
    ...files,
  ];
}

/**
 * Imports the host's node as an image and returns its Id. Libraries go on
 * LD_LIBRARY_PATH as well as their ldd paths, so the loader finds them
 * whatever its built-in search list.
 */
export async function buildLocalBaseImage(docker: Dockerode, tag: string = LOCAL_BASE_IMAGE): Promise<string> {
  await requireEngine(docker);
  const runtime = resolveNodeRuntime();
  const libraryDirs = [...new Set(runtime.libraries.map((library) => dirname(library.path)))];
  const { repo, tag: version } = splitReference(tag);
  const changes = [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...(libraryDirs.length > 0 ? [`ENV LD_LIBRARY_PATH=${libraryDirs.join(':')}`] : []),
    `LABEL ${NODE_VERSION_LABEL}=${process.version}`,
    'LABEL org.opencontainers.image.title=shoal-node-base',
  ];
  try {
    const stream = await docker.importImage(ustarStream(baseImageEntries(runtime)), { repo, tag: version, changes, message: `node ${process.version} from ${runtime.binary}` } as object);
    await followProgress(docker, stream);
  } catch (err) {
    throw new ImageBuildError('IMAGE_BUILD_FAILED', `importing ${tag} from ${runtime.binary} failed: ${errorMessage(err)}`, { tag }, err);
  }
  const image = await inspectImage(docker, tag);
  if (!image) throw new ImageBuildError('IMAGE_BUILD_FAILED', `the engine accepted the import but has no image ${tag}`, { tag });
  return image.Id;
}
