/**
 * The trainer image this checkout's code needs, built only when it is
 * missing or stale (see ensure-images.ts). Used by `shoal simulate` and the
 * Docker test suites, so neither runs an image of older code.
 */
import type Dockerode from 'dockerode';
import { ensureLocalImages } from './ensure-images';

export interface LocalTrainerImages {
  baseImage: string;
  trainerImage: string;
  /** The trainer image's id (sha256:…). */
  trainerDigest: string;
  /** Whether anything had to be built. */
  built: boolean;
}

export async function ensureLocalTrainerImage(docker: Dockerode, onBuild: (what: string) => void = () => undefined): Promise<LocalTrainerImages> {
  const { baseImage, images, built } = await ensureLocalImages(docker, ['trainer'], onBuild);
  return { baseImage, trainerImage: images.trainer.tag, trainerDigest: images.trainer.id, built };
}
