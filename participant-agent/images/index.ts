export { buildTrainerImage, buildLocalBaseImage, DEFAULT_BASE_IMAGE, DEFAULT_TRAINER_IMAGE, BASE_IMAGE_LABEL, LOCAL_BASE_IMAGE, type TrainerImageOptions } from './build-images';
export { requireEngine, inspectImage } from './engine';
export { ImageBuildError, type ImageBuildErrorCode } from './errors';
export { NODE_VERSION_LABEL, resolveNodeRuntime } from './node-base-image';
export { CONTEXT_LABEL, planTrainerContext, type TrainerContextPlan } from './trainer-context';
export { ensureLocalTrainerImage, type LocalTrainerImages } from './ensure-trainer-image';
