import { thrownShoalError } from './testing/thrown-shoal-error';
import { checkIdentifier, checkRound, ID_PATTERN, isIdentifier, MAX_ROUND } from './ids';

describe('checkIdentifier', () => {
  it.each(['bank-1', 'fit-3', 'fit-3-s2-a1', 'credit_default', '0', 'a'.repeat(63)])('takes %s', (value) => {
    expect(checkIdentifier('collection', value)).toBe(value);
    expect(ID_PATTERN.test(value)).toBe(true);
  });

  it.each([
    ['../../x', '"../../x"'],
    ['audit.jsonl', '"audit.jsonl"'],
    ['privacy-ledger.json', '"privacy-ledger.json"'],
    ['.', '"."'],
    ['..', '".."'],
    ['fit-3.1.2', '"fit-3.1.2"'],
    ['a/b', '"a/b"'],
    ['/etc', '"/etc"'],
    ['a\\b', '"a\\\\b"'],
    ['Bank-1', '"Bank-1"'],
    ['-bank', '"-bank"'],
    ['_x', '"_x"'],
    ['', '""'],
    ['x>', '"x>"'],
    ['x*', '"x*"'],
    ['bank 1', '"bank 1"'],
    ['bank-1\n', '"bank-1\\n"'],
    ['a'.repeat(64), `"${'a'.repeat(64)}"`],
  ])('refuses %j as INVALID_IDENTIFIER, naming the kind and the JSON-quoted value', (value, shown) => {
    const error = thrownShoalError(() => checkIdentifier('collection', value), 'INVALID_IDENTIFIER');
    expect(error.message).toBe(`${shown} is not a valid collection id: expected a lower-case identifier (letters, digits, "_", "-"; no dots or slashes; at most 63 characters)`);
    expect(error.details).toEqual({ kind: 'collection', value: shown });
    expect(isIdentifier(value)).toBe(false);
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, ['bank-1'], { id: 'bank-1' }]) thrownShoalError(() => checkIdentifier('organisation', value), 'INVALID_IDENTIFIER');
    expect(thrownShoalError(() => checkIdentifier('job', 7)).message).toMatch(/^7 is not a valid job id: /);
    expect(thrownShoalError(() => checkIdentifier('dataset', undefined)).message).toMatch(/^undefined is not a valid dataset id: /);
  });

  it('truncates a long value in the message, so a hostile id cannot flood logs and audit entries', () => {
    const error = thrownShoalError(() => checkIdentifier('organisation', `../${'x'.repeat(10_000)}`), 'INVALID_IDENTIFIER');
    expect(error.details.value).toBe(`"../${'x'.repeat(73)}...`);
    expect(error.message.length).toBeLessThan(250);
  });
});

describe('checkRound', () => {
  it('takes whole rounds from 0 to MAX_ROUND', () => {
    for (const round of [0, 1, 3, MAX_ROUND]) expect(checkRound(round)).toBe(round);
  });

  it.each([-1, 1.5, MAX_ROUND + 1, 4294967295, Number.NaN, Infinity, '3'])('refuses %p', (round) => {
    const error = thrownShoalError(() => checkRound(round), 'INVALID_IDENTIFIER');
    expect(error.message).toMatch(/ is not a valid round number: expected a whole number from 0 to 1000000$/);
    expect(error.details.kind).toBe('round');
  });
});
