/**
 * The trainer image for the sandbox benchmark. The default image goes
 * through the same routine as `shoal simulate` and the Docker suites, which
 * rebuilds it when it is missing or does not hold this checkout's trainer.
 * Another image is used as it is; if it is missing, the user must build it.
 */
import type Dockerode from 'dockerode';
import { CONTEXT_LABEL, DEFAULT_TRAINER_IMAGE, ensureLocalTrainerImage, inspectImage, planTrainerContext, requireEngine } from '../participant-agent/images';

export interface TrainerImage {
  image: string;
  imageId: string;
  /** The image's trainer-context label matches this checkout's dist files and packages. */
  imageCurrent: boolean;
  engineVersion: string;
}

/** Checks the engine answers and the image is there (building the default one if need be); throws a message for the user otherwise. */
export async function ensureTrainerImage(docker: Dockerode, image: string, progress: (line: string) => void): Promise<TrainerImage> {
  await requireEngine(docker);
  if (image === DEFAULT_TRAINER_IMAGE) await ensureLocalTrainerImage(docker, (what) => progress(`building ${what}`));
  const found = await inspectImage(docker, image);
  if (found === null) {
    throw new Error(`the trainer image ${image} is not in the local Docker engine; build it with npm run build:images -- --local-base --tag ${image}`);
  }
  const imageCurrent = found.Config?.Labels?.[CONTEXT_LABEL] === planTrainerContext().hash;
  if (!imageCurrent) progress(`warning: ${image} was not built from this checkout's trainer; its times may not be this code's`);
  const version = (await docker.version()) as { Version?: string };
  return { image, imageId: found.Id, imageCurrent, engineVersion: version.Version ?? 'unknown' };
}
