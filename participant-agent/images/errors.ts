/**
 * Errors raised while building the container images Shoal runs in.
 * Callers check `code`: DOCKER_UNAVAILABLE (no engine answers),
 * BASE_IMAGE_MISSING (the FROM image is not in the local engine),
 * NODE_RUNTIME_UNRESOLVED (the host's node or one of its libraries cannot be
 * found), TRAINER_DIST_MISSING (the trainer's dist/ files have not been built),
 * DIST_MISSING (the same for the agent or coordinator image: dist/, proto/ or a
 * package), NATS_BINARY_MISSING (no nats-server binary to put in the NATS image,
 * or the base lacks a library it needs), IMAGE_BUILD_FAILED.
 */
import { ShoalError } from '../../common/errors';

export type ImageBuildErrorCode = 'DOCKER_UNAVAILABLE' | 'BASE_IMAGE_MISSING' | 'NODE_RUNTIME_UNRESOLVED' | 'TRAINER_DIST_MISSING' | 'DIST_MISSING' | 'NATS_BINARY_MISSING' | 'IMAGE_BUILD_FAILED';

export class ImageBuildError extends ShoalError {
  constructor(code: ImageBuildErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { component: 'participant-agent', details, cause });
    this.name = 'ImageBuildError';
  }
}
