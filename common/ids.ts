/**
 * The one pattern every identifier from outside must match before it names
 * anything: a file or folder at an organisation, a NATS subject, a map key at
 * a server. No dots (NATS separates subject tokens with them, and "." / ".."
 * name folders), no slashes, nothing upper-case, at most 63 characters.
 */
import { ShoalError } from './errors';

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What the pattern allows, in words, for error messages and schema reports. */
export const ID_PATTERN_TEXT = 'a lower-case identifier (letters, digits, "_", "-"; no dots or slashes; at most 63 characters)';

/** The highest round number any task may carry: far above any job's round count, far below where uint32 wraps. */
export const MAX_ROUND = 1_000_000;

export type IdentifierKind = 'job' | 'collection' | 'organisation' | 'dataset' | 'requester';

/** An identifier (or round) from outside that does not match what may name things here. */
export class IdentifierError extends ShoalError {
  constructor(kind: IdentifierKind | 'round', shown: string, expected: string) {
    super('INVALID_IDENTIFIER', `${shown} is not a valid ${kind === 'round' ? 'round number' : `${kind} id`}: expected ${expected}`, {
      component: 'common',
      details: { kind, value: shown },
    });
    this.name = 'IdentifierError';
  }
}

/** The value as it may appear in a message or an audit entry: JSON-quoted and bounded, so a hostile value cannot flood either. */
export function shownValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** `value` when it is a valid identifier of that kind; an INVALID_IDENTIFIER error naming the kind and the value otherwise. */
export function checkIdentifier(kind: IdentifierKind, value: unknown): string {
  if (!isIdentifier(value)) throw new IdentifierError(kind, shownValue(value), ID_PATTERN_TEXT);
  return value;
}

/** `value` when it is a whole round number from 0 to MAX_ROUND. */
export function checkRound(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ROUND) {
    throw new IdentifierError('round', shownValue(value), `a whole number from 0 to ${MAX_ROUND}`);
  }
  return value;
}
