/**
 * The images this checkout's code needs, built only when missing or stale:
 * the local node base when its node version differs from this one, and each
 * asked-for image when its context label (Dockerfile, compiled files, proto
 * files and package versions; for NATS the binary) or its base differ. Used by
 * `shoal simulate`, the Docker test suites and the compose smoke test, so none
 * runs an image of older code. Not safe against a concurrent build of the same
 * tags from another process: callers that run in parallel take a lock.
 */
import type Dockerode from 'dockerode';
import { BASE_IMAGE_LABEL, buildLocalBaseImage, buildShoalImage, DEFAULT_IMAGE_TAGS, LOCAL_BASE_IMAGE, type ShoalImageKind } from './build-images';
import { inspectImage } from './engine';
import { AGENT_CONTEXT, COORDINATOR_CONTEXT, planImageContext, TRAINER_CONTEXT } from './image-context';
import { planNatsContext } from './nats-context';
import { NODE_VERSION_LABEL } from './node-base-image';

export interface LocalImage {
  /** The tag, e.g. shoal-agent:dev. */
  tag: string;
  /** The image's Id (sha256:…). */
  id: string;
  /** Whether this call built it. */
  built: boolean;
}

export interface LocalImages<K extends ShoalImageKind = ShoalImageKind> {
  /** shoal-node-base:20, which every image here is built FROM. */
  baseImage: string;
  baseImageId: string;
  images: Record<K, LocalImage>;
  /** Whether anything had to be built. */
  built: boolean;
}

/** The hash and the label it must be found under, for the image the current checkout would build. */
function contextOf(kind: ShoalImageKind): { label: string; hash: string } {
  if (kind === 'nats') {
    const plan = planNatsContext();
    return { label: plan.contextLabel, hash: plan.hash };
  }
  const spec = { trainer: TRAINER_CONTEXT, agent: AGENT_CONTEXT, coordinator: COORDINATOR_CONTEXT }[kind];
  const plan = planImageContext(spec);
  return { label: plan.contextLabel, hash: plan.hash };
}

export async function ensureLocalImages<K extends ShoalImageKind>(docker: Dockerode, which: readonly K[], onBuild: (what: string) => void = () => undefined): Promise<LocalImages<K>> {
  let built = false;
  let base = await inspectImage(docker, LOCAL_BASE_IMAGE);
  if (!base || base.Config?.Labels?.[NODE_VERSION_LABEL] !== process.version) {
    onBuild(`the node base image ${LOCAL_BASE_IMAGE}`);
    await buildLocalBaseImage(docker, LOCAL_BASE_IMAGE);
    base = await inspectImage(docker, LOCAL_BASE_IMAGE);
    built = true;
  }
  const baseImageId = base?.Id ?? '';
  const images = {} as Record<K, LocalImage>;
  for (const kind of new Set(which)) {
    const tag = DEFAULT_IMAGE_TAGS[kind];
    const { label, hash } = contextOf(kind);
    const found = await inspectImage(docker, tag);
    const labels = found?.Config?.Labels ?? {};
    if (found && labels[label] === hash && labels[BASE_IMAGE_LABEL] === baseImageId) {
      images[kind] = { tag, id: found.Id, built: false };
      continue;
    }
    onBuild(`the ${kind} image ${tag}`);
    images[kind] = { tag, id: await buildShoalImage(docker, kind, { baseImage: LOCAL_BASE_IMAGE, tag }), built: true };
    built = true;
  }
  return { baseImage: LOCAL_BASE_IMAGE, baseImageId, images, built };
}
