/**
 * The trainer image for the sandbox benchmark. When the default image is
 * missing it is built the way `npm run build:images` builds it: FROM
 * node:20-bookworm-slim when the engine has that, else from a base made from
 * this machine's node. Another image that is missing is left to the user.
 */
import type Dockerode from 'dockerode';
import {
  buildLocalBaseImage,
  buildTrainerImage,
  CONTEXT_LABEL,
  DEFAULT_BASE_IMAGE,
  DEFAULT_TRAINER_IMAGE,
  inspectImage,
  LOCAL_BASE_IMAGE,
  planTrainerContext,
  requireEngine,
} from '../participant-agent/images';

export interface TrainerImage {
  image: string;
  imageId: string;
  /** The image's trainer-context label matches this checkout's dist files and packages. */
  imageCurrent: boolean;
  engineVersion: string;
}

async function buildDefaultImage(docker: Dockerode, progress: (line: string) => void): Promise<void> {
  let baseImage = DEFAULT_BASE_IMAGE;
  if ((await inspectImage(docker, baseImage)) === null) {
    baseImage = LOCAL_BASE_IMAGE;
    if ((await inspectImage(docker, baseImage)) === null) {
      progress(`building ${LOCAL_BASE_IMAGE} from this machine's node`);
      await buildLocalBaseImage(docker, LOCAL_BASE_IMAGE);
    }
  }
  progress(`building ${DEFAULT_TRAINER_IMAGE} from ${baseImage}`);
  await buildTrainerImage(docker, { baseImage, tag: DEFAULT_TRAINER_IMAGE });
}

/** Checks the engine answers and the image is there (building the default one if need be); throws a message for the user otherwise. */
export async function ensureTrainerImage(docker: Dockerode, image: string, progress: (line: string) => void): Promise<TrainerImage> {
  await requireEngine(docker);
  let found = await inspectImage(docker, image);
  if (found === null) {
    if (image !== DEFAULT_TRAINER_IMAGE) {
      throw new Error(`the trainer image ${image} is not in the local Docker engine; build it with npm run build:images -- --local-base --tag ${image}`);
    }
    await buildDefaultImage(docker, progress);
    found = await inspectImage(docker, image);
    if (found === null) throw new Error(`the engine has no ${image} after building it; try npm run build:images -- --local-base`);
  }
  const imageCurrent = found.Config?.Labels?.[CONTEXT_LABEL] === planTrainerContext().hash;
  if (!imageCurrent) progress(`warning: ${image} was not built from this checkout's trainer; rebuild it with npm run build:images -- --local-base`);
  const version = (await docker.version()) as { Version?: string };
  return { image, imageId: found.Id, imageCurrent, engineVersion: version.Version ?? 'unknown' };
}
