import { thrownShoalError } from '../testing/thrown-shoal-error';
import { combineShares, splitSecret, type Share } from './shamir';
import { seededRandomBytes } from './test-support';

function subsets<T>(items: T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

describe('Shamir sharing over 2^521 - 1', () => {
  const randomBytes = seededRandomBytes('shamir');
  const secret = new Uint8Array(randomBytes(32));
  const xs = [1, 2, 5, 9, 12, 30, 31];
  const shares = splitSecret(secret, xs, 4, randomBytes);

  it('gives one 66-byte share per x', () => {
    expect(shares.map((s) => s.x)).toEqual(xs);
    expect(shares.every((s) => s.y.length === 66)).toBe(true);
  });

  it('reconstructs the secret from every set of t = 4 shares, and from more', () => {
    for (const chosen of subsets(shares, 4)) expect(Buffer.from(combineShares(chosen))).toEqual(Buffer.from(secret));
    expect(Buffer.from(combineShares(shares))).toEqual(Buffer.from(secret));
    expect(Buffer.from(combineShares([...shares].reverse().slice(0, 5)))).toEqual(Buffer.from(secret));
  });

  it('refuses every set of t - 1 = 3 shares', () => {
    for (const chosen of subsets(shares, 3)) thrownShoalError(() => combineShares(chosen), 'SECAGG_UNRECOVERABLE');
  });

  it('refuses shares of two different sharings of the same secret', () => {
    const other = splitSecret(secret, xs, 4, randomBytes);
    const mixed: Share[] = [shares[0], shares[1], other[2], other[3]];
    thrownShoalError(() => combineShares(mixed), 'SECAGG_UNRECOVERABLE');
  });

  it('refuses malformed arguments', () => {
    thrownShoalError(() => splitSecret(new Uint8Array(31), xs, 4, randomBytes), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => splitSecret(secret, [1, 2, 2], 2, randomBytes), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => splitSecret(secret, [0, 1], 2, randomBytes), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => splitSecret(secret, [1, 2], 3, randomBytes), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => combineShares([shares[0], { x: shares[1].x, y: shares[1].y.subarray(1) }]), 'SECAGG_BAD_MESSAGE');
    thrownShoalError(() => combineShares([shares[0], shares[0]]), 'SECAGG_BAD_MESSAGE');
  });

  it('handles the all-zero and all-one secrets', () => {
    for (const fill of [0x00, 0xff]) {
      const value = new Uint8Array(32).fill(fill);
      const parts = splitSecret(value, [3, 4, 7], 2, randomBytes);
      expect(Buffer.from(combineShares(parts.slice(1)))).toEqual(Buffer.from(value));
    }
  });
});
