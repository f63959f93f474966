/**
 * The trainer image this checkout's code needs, built only when it is
 * missing or stale: the local node base when its node version differs from
 * this one, and the trainer when its content label (Dockerfile, compiled
 * trainer, package versions) or its base differ. Used by `shoal simulate`
 * and the Docker test suites, so neither runs an image of older code.
 */
import type Dockerode from 'dockerode';
import { BASE_IMAGE_LABEL, buildLocalBaseImage, buildTrainerImage, DEFAULT_TRAINER_IMAGE, LOCAL_BASE_IMAGE } from './build-images';
import { inspectImage } from './engine';
import { NODE_VERSION_LABEL } from './node-base-image';
import { CONTEXT_LABEL, planTrainerContext } from './trainer-context';

export interface LocalTrainerImages {
  baseImage: string;
  trainerImage: string;
  /** The trainer image's id (sha256:…). */
  trainerDigest: string;
  /** Whether anything had to be built. */
  built: boolean;
}

export async function ensureLocalTrainerImage(docker: Dockerode, onBuild: (what: string) => void = () => undefined): Promise<LocalTrainerImages> {
  let built = false;
  let base = await inspectImage(docker, LOCAL_BASE_IMAGE);
  if (base?.Config?.Labels?.[NODE_VERSION_LABEL] !== process.version) {
    onBuild(`the node base image ${LOCAL_BASE_IMAGE}`);
    await buildLocalBaseImage(docker, LOCAL_BASE_IMAGE);
    base = await inspectImage(docker, LOCAL_BASE_IMAGE);
    built = true;
  }
  const plan = planTrainerContext();
  const trainer = await inspectImage(docker, DEFAULT_TRAINER_IMAGE);
  const labels = trainer?.Config?.Labels ?? {};
  let trainerDigest = trainer?.Id ?? '';
  if (!trainer || labels[CONTEXT_LABEL] !== plan.hash || labels[BASE_IMAGE_LABEL] !== base?.Id) {
    onBuild(`the trainer image ${DEFAULT_TRAINER_IMAGE}`);
    trainerDigest = await buildTrainerImage(docker, { baseImage: LOCAL_BASE_IMAGE, tag: DEFAULT_TRAINER_IMAGE, plan });
    built = true;
  }
  return { baseImage: LOCAL_BASE_IMAGE, trainerImage: DEFAULT_TRAINER_IMAGE, trainerDigest, built };
}
