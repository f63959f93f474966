/**
 * Errors of the sandbox proxy. A refused Docker call is answered with HTTP
 * 403 and this code in the body, so the agent's Docker client reports why.
 */
import { ShoalError } from '../../common/errors';

export class DockerCallRefused extends ShoalError {
  constructor(call: string, reason: string, details: Record<string, unknown> = {}) {
    super('DOCKER_CALL_REFUSED', `the sandbox proxy refused ${call}: ${reason}`, { component: 'participant-agent', details: { call, ...details } });
    this.name = 'DockerCallRefused';
  }
}
