/**
 * What the image builders need from a Docker engine beyond dockerode's calls:
 * a clear error when none answers, and the engine's JSON progress streams
 * read to the end with their errors surfaced.
 */
import type Dockerode from 'dockerode';
import { errorMessage } from '../../common/errors';
import { ImageBuildError } from './errors';

const START_HINT =
  'start one with `sudo dockerd > /tmp/dockerd.log 2>&1 &` (Debian: `sudo apt-get install docker.io`), or point DOCKER_HOST at a running engine';

/** Where dockerode will connect, for messages. */
export function engineAddress(docker: Dockerode): string {
  const modem = docker.modem as unknown as { socketPath?: string; host?: string; port?: number | string };
  return modem.socketPath ?? (modem.host ? `${modem.host}:${modem.port ?? ''}` : 'the default socket');
}

/** Resolves when the engine answers a ping within the deadline; throws DOCKER_UNAVAILABLE otherwise. */
export async function requireEngine(docker: Dockerode, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw new ImageBuildError('DOCKER_UNAVAILABLE', `no Docker engine answers at ${engineAddress(docker)} (${errorMessage(err)}); ${START_HINT}`, {}, err);
  } finally {
    clearTimeout(timer);
  }
}

export interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Reads a build or import progress stream to its end. The engine reports a
 * failed step inside the stream (HTTP 200 with an `error` event), so each event
 * is checked; `onLine` sees the build's own output line by line.
 */
export function followProgress(docker: Dockerode, stream: NodeJS.ReadableStream, onLine?: (line: string) => void): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: ProgressEvent[]) => {
        if (err) return reject(err);
        const failed = events.find((event) => event.error || event.errorDetail);
        if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
        resolve(events);
      },
      (event: ProgressEvent) => {
        const text = event.stream ?? event.status;
        if (onLine && text) for (const line of text.split('\n')) if (line.trim()) onLine(line.trimEnd());
      },
    );
  });
}

/** The image's inspect record, or null when the engine does not have it. */
export async function inspectImage(docker: Dockerode, ref: string): Promise<Dockerode.ImageInspectInfo | null> {
  try {
    return await docker.getImage(ref).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/** Splits `name:tag` (a registry port is not a tag). */
export function splitReference(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
