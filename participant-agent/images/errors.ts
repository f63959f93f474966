/**
 * Errors raised while building the container images the Docker sandbox runs.
 * Callers check `code`: DOCKER_UNAVAILABLE (no engine answers),
 * BASE_IMAGE_MISSING (the FROM image is not in the local engine),
 * NODE_RUNTIME_UNRESOLVED (the host's node or one of its libraries cannot be
 * found), TRAINER_DIST_MISSING (dist/ has not been built), IMAGE_BUILD_FAILED.
 */
import { ShoalError } from '../../common/errors';

export type ImageBuildErrorCode = 'DOCKER_UNAVAILABLE' | 'BASE_IMAGE_MISSING' | 'NODE_RUNTIME_UNRESOLVED' | 'TRAINER_DIST_MISSING' | 'IMAGE_BUILD_FAILED';

export class ImageBuildError extends ShoalError {
  constructor(code: ImageBuildErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { component: 'participant-agent', details, cause });
    this.name = 'ImageBuildError';
  }
}
