export {
  buildTrainerImage,
  buildAgentImage,
  buildCoordinatorImage,
  buildNatsImage,
  buildShoalImage,
  buildLocalBaseImage,
  DEFAULT_BASE_IMAGE,
  DEFAULT_TRAINER_IMAGE,
  DEFAULT_AGENT_IMAGE,
  DEFAULT_COORDINATOR_IMAGE,
  DEFAULT_NATS_IMAGE,
  DEFAULT_IMAGE_TAGS,
  SHOAL_IMAGE_KINDS,
  BASE_IMAGE_LABEL,
  LOCAL_BASE_IMAGE,
  type ShoalImageKind,
  type NodeImageOptions,
  type NatsImageOptions,
  type TrainerImageOptions,
} from './build-images';
export { requireEngine, inspectImage } from './engine';
export { ImageBuildError, type ImageBuildErrorCode } from './errors';
export { NODE_VERSION_LABEL, resolveNodeRuntime } from './node-base-image';
export { AGENT_CONTEXT, COORDINATOR_CONTEXT, TRAINER_CONTEXT, planImageContext, type ImageContextPlan, type ImageContextSpec } from './image-context';
export { CONTEXT_LABEL, planTrainerContext, type TrainerContextPlan } from './trainer-context';
export { NATS_BINARY_ENV, findNatsServerBinary, planNatsContext, type NatsContextPlan } from './nats-context';
export { ensureLocalImages, type LocalImage, type LocalImages } from './ensure-images';
export { ensureLocalTrainerImage, type LocalTrainerImages } from './ensure-trainer-image';
