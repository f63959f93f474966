import type { ModerationPolicy, TimeWindowPolicy, Weekday } from '../policy-schema';
import type { Rule } from '../rule';

type Window = TimeWindowPolicy['windows'][number];

// Indexed like Date.getDay(), so the day before is one step back.
const DAYS_FROM_SUNDAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

interface LocalTime {
  day: Weekday;
  minutes: number;
  text: string;
}

function localTime(format: Intl.DateTimeFormat, now: Date): LocalTime {
  const parts = format.formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').slice(0, 3).toLowerCase() as Weekday;
  // Some ICU versions write midnight as "24" even with hourCycle h23.
  const hour = Number(part('hour')) % 24;
  const minute = Number(part('minute'));
  return { day, minutes: hour * 60 + minute, text: `${day} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}

/** A window that wraps past midnight belongs to the day it opens: fri 22:00–06:00 covers early Saturday. */
function inside(window: Window, at: LocalTime): boolean {
  const [from, to] = [minutesOf(window.from), minutesOf(window.to)];
  const opensToday = window.days.includes(at.day);
  if (from < to) return opensToday && at.minutes >= from && at.minutes < to;
  const yesterday = DAYS_FROM_SUNDAY[(DAYS_FROM_SUNDAY.indexOf(at.day) + 6) % 7];
  return (opensToday && at.minutes >= from) || (window.days.includes(yesterday) && at.minutes < to);
}

const windowText = (window: Window): string => `${window.days.join(',')} ${window.from}–${window.to}`;

/** Offers are accepted unattended only at the local times the organisation chose. */
export function timeWindowRule(policy: ModerationPolicy): Rule {
  const windows = policy.timeWindows;
  const format = windows
    ? new Intl.DateTimeFormat('en-US', { timeZone: windows.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    : undefined;
  return {
    name: 'time-window',
    evaluate({ now }) {
      if (!windows || !format) return { rule: 'time-window', outcome: 'allow', reason: 'the policy sets no time windows' };
      const at = localTime(format, now);
      const open = windows.windows.find((window) => inside(window, at));
      const when = `the offer arrived ${at.text} (${windows.timezone})`;
      if (open) return { rule: 'time-window', outcome: 'allow', reason: `${when}, inside the window ${windowText(open)}` };
      const then = windows.outside === 'ask' ? ': a person must approve it' : '';
      return { rule: 'time-window', outcome: windows.outside, reason: `${when}, outside every time window${then}` };
    },
  };
}
