/**
 * The offer hash a person names when deciding: the full SHA-256 the agent
 * stores with each pending offer, or a prefix of it long enough that no
 * requester can make a second offer that matches by chance or by effort.
 * The requester chooses both offers, so a collision is a birthday search:
 * 32 hex digits (128 bits) leave 2^64 hashes to try; 12 would leave 2^24.
 */
import { moderationError } from './moderation-errors';

const FULL = /^[0-9a-f]{64}$/;
const PREFIX = /^[0-9a-f]{32,64}$/;

/** How many hex digits the CLI and the list show: enough to type, enough to bind. */
export const SHOWN_PREFIX = 16;

export const MIN_PREFIX = 32;

/** `hash` when it is a whole SHA-256 in lower-case hex (as the agent writes them). */
export function checkOfferSha256(hash: unknown): string {
  if (typeof hash !== 'string' || !FULL.test(hash)) {
    throw moderationError('INVALID_OFFER_HASH', `${JSON.stringify(hash)?.slice(0, 80)} is not an offer's SHA-256: expected 64 hex digits`, { offerSha256: hash });
  }
  return hash;
}

/** What a person typed, lower-cased; INVALID_OFFER_HASH unless it is 32 to 64 hex digits. */
export function parseOfferPrefix(typed: string): string {
  const prefix = typed.trim().toLowerCase();
  if (!PREFIX.test(prefix)) {
    throw moderationError('INVALID_OFFER_HASH', `${JSON.stringify(typed.slice(0, 80))} does not name an offer: expected the offer's SHA-256 or its first ${MIN_PREFIX} or more hex digits, as shoal agent show prints it`, { offer: typed.slice(0, 80) });
  }
  return prefix;
}

export function shortHash(hash: string): string {
  return hash.slice(0, SHOWN_PREFIX);
}
