import { policy, offerContext } from '../policy-test-fixtures';
import { timeWindowRule } from './time-window-rule';

type Windows = { timezone: string; windows: Record<string, unknown>[]; outside?: 'deny' | 'ask' };

async function outcomeAt(timeWindows: Windows | undefined, iso: string): Promise<string> {
  const verdict = await timeWindowRule(policy(timeWindows ? { timeWindows } : {})).evaluate(offerContext({ now: new Date(iso) }));
  return verdict.outcome;
}

describe('time windows', () => {
  test('allow any time when the policy sets none', async () => {
    expect(await outcomeAt(undefined, '2024-01-20T03:00:00Z')).toBe('allow');
  });

  describe('working hours in Paris (UTC+1 in winter, UTC+2 in summer)', () => {
    const paris: Windows = { timezone: 'Europe/Paris', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }], outside: 'ask' };

    test.each([
      ['Monday 08:00 Paris, the window opens', '2024-01-15T07:00:00Z', 'allow'],
      ['Monday 07:59 Paris, before it opens', '2024-01-15T06:59:00Z', 'ask'],
      ['Monday 17:59 Paris', '2024-01-15T16:59:00Z', 'allow'],
      ['Monday 18:00 Paris, the window has closed', '2024-01-15T17:00:00Z', 'ask'],
      ['Monday 17:30 UTC is 19:30 in Paris in July', '2024-07-15T17:30:00Z', 'ask'],
      ['Monday 06:30 UTC is 08:30 in Paris in July', '2024-07-15T06:30:00Z', 'allow'],
      ['Saturday noon Paris', '2024-01-20T11:00:00Z', 'ask'],
    ])('%s (%s) → %s', async (_name, iso, expected) => {
      expect(await outcomeAt(paris, iso)).toBe(expected);
    });

    test('name the local time, the zone and the window in the reason', async () => {
      const verdict = await timeWindowRule(policy({ timeWindows: paris })).evaluate(offerContext({ now: new Date('2024-01-15T07:30:00Z') }));

      expect(verdict).toEqual({ rule: 'time-window', outcome: 'allow', reason: 'the offer arrived mon 08:30 (Europe/Paris), inside the window mon,tue,wed,thu,fri 08:00–18:00' });
    });

    test('say a person must approve an offer outside the windows when the policy asks', async () => {
      const verdict = await timeWindowRule(policy({ timeWindows: paris })).evaluate(offerContext({ now: new Date('2024-01-20T11:00:00Z') }));

      expect(verdict).toEqual({ rule: 'time-window', outcome: 'ask', reason: 'the offer arrived sat 12:00 (Europe/Paris), outside every time window: a person must approve it' });
    });
  });

  describe('a night window that wraps past midnight, opening on Fridays only (UTC)', () => {
    const nights: Windows = { timezone: 'UTC', windows: [{ days: ['fri'], from: '22:00', to: '06:00' }] };

    test.each([
      ['Friday 23:00, after it opens', '2024-01-19T23:00:00Z', 'allow'],
      ['Saturday 03:00, still Friday night', '2024-01-20T03:00:00Z', 'allow'],
      ['Saturday 06:00, closed', '2024-01-20T06:00:00Z', 'deny'],
      ['Friday 03:00, the night that opened on Thursday', '2024-01-19T03:00:00Z', 'deny'],
      ['Saturday 23:00, no window opens on Saturday', '2024-01-20T23:00:00Z', 'deny'],
      ['Friday 21:59', '2024-01-19T21:59:00Z', 'deny'],
    ])('%s (%s) → %s', async (_name, iso, expected) => {
      expect(await outcomeAt(nights, iso)).toBe(expected);
    });
  });

  test('an every-day window 22:00–06:00 in Tokyo (UTC+9) covers 13:00–21:00 UTC', async () => {
    const tokyo: Windows = { timezone: 'Asia/Tokyo', windows: [{ from: '22:00', to: '06:00' }] };

    expect(await outcomeAt(tokyo, '2024-03-10T13:00:00Z')).toBe('allow');
    expect(await outcomeAt(tokyo, '2024-03-10T20:59:00Z')).toBe('allow');
    expect(await outcomeAt(tokyo, '2024-03-10T21:00:00Z')).toBe('deny');
    expect(await outcomeAt(tokyo, '2024-03-10T12:59:00Z')).toBe('deny');
  });

  test('the weekday is the local one: Sunday 23:30 UTC is Monday 00:30 in Paris', async () => {
    const mondayNight: Windows = { timezone: 'Europe/Paris', windows: [{ days: ['mon'], from: '00:00', to: '02:00' }] };

    expect(await outcomeAt(mondayNight, '2024-01-21T23:30:00Z')).toBe('allow');
    expect(await outcomeAt(mondayNight, '2024-01-22T01:30:00Z')).toBe('deny');
  });

  test('any of several windows admits the offer, and 24:00 closes a window at midnight', async () => {
    const split: Windows = { timezone: 'UTC', windows: [{ from: '00:00', to: '01:00' }, { days: ['mon'], from: '23:00', to: '24:00' }] };

    expect(await outcomeAt(split, '2024-01-17T00:30:00Z')).toBe('allow');
    expect(await outcomeAt(split, '2024-01-15T23:59:00Z')).toBe('allow');
    expect(await outcomeAt(split, '2024-01-16T23:59:00Z')).toBe('deny');
  });
});
