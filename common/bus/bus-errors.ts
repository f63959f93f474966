import { ShoalError } from '../errors';

export class BusError extends ShoalError {
  constructor(code: 'BUS_NO_RESPONDERS' | 'BUS_TIMEOUT' | 'BUS_CLOSED' | 'BUS_BAD_MESSAGE' | 'BUS_CONNECT', message: string, cause?: unknown) {
    super(code, message, { component: 'common', retryable: code !== 'BUS_BAD_MESSAGE', cause });
    this.name = 'BusError';
  }
}
