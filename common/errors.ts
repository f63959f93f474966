/**
 * One base error for the whole project. Every error that can cross a module
 * or process boundary carries a stable `code` (checked by callers instead of
 * `instanceof`), the component that raised it, and whether retrying may help.
 */
export type Component = 'common' | 'coordinator' | 'aggregator' | 'participant-agent' | 'cli' | 'console' | 'trainer' | 'secagg' | 'privacy';

export interface ShoalErrorOptions {
  component: Component;
  retryable?: boolean;
  cause?: unknown;
  /** Structured facts about the failure (field paths, counts); never tensors, keys or data rows. */
  details?: Record<string, unknown>;
}

export class ShoalError extends Error {
  readonly code: string;
  readonly component: Component;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: ShoalErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShoalError';
    this.code = code;
    this.component = options.component;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }

  /** Plain data form, for errors that travel over the wire or into a report. */
  toJSON(): { code: string; component: Component; message: string; retryable: boolean; details: Record<string, unknown> } {
    return { code: this.code, component: this.component, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** A user-written file (job spec, agent config) failed validation. */
export class ConfigError extends ShoalError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('CONFIG_INVALID', message, { component: 'common', details, cause });
    this.name = 'ConfigError';
  }
}

/** Bytes on the wire do not form what the protocol promises (bad chunk order, size mismatch). */
export class WireFormatError extends ShoalError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('WIRE_FORMAT', message, { component: 'common', details });
    this.name = 'WireFormatError';
  }
}

export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
