/**
 * How numbers, times, hashes and sizes read on both consoles, in one place
 * so that a job's round, an epsilon or a hash looks the same in every table.
 */

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateOf(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function roundedUnits(seconds: number): string {
  if (seconds < MINUTE) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < HOUR) return `${Math.round(seconds / MINUTE)} min`;
  if (seconds < DAY) return `${Math.round(seconds / HOUR)} h`;
  return `${Math.round(seconds / DAY)} d`;
}

export const format = {
  /** Local clock time to the second when it is today; otherwise the day and minute (and the year when it is not this one). */
  time(iso: string): string {
    const date = dateOf(iso);
    if (!date) return iso;
    const today = new Date();
    if (date.toDateString() === today.toDateString()) {
      return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    }
    const day = `${date.getDate()} ${MONTHS[date.getMonth()]}`;
    const year = date.getFullYear() === today.getFullYear() ? '' : ` ${date.getFullYear()}`;
    return `${day}${year} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  },

  /** "in 4 min", "12 s ago": deadlines matter more as a distance than as a clock time. `past`: the time cannot be ahead of now (when something was received). */
  relative(iso: string, now: number, past = false): string {
    const date = dateOf(iso);
    if (!date) return iso;
    const seconds = (date.getTime() - now) / 1000;
    // `now` ticks every few seconds, so something that just happened can look a moment ahead of it.
    if (Math.abs(seconds) < 1 || (past && seconds > 0)) return 'just now';
    const units = roundedUnits(Math.abs(seconds));
    return seconds > 0 ? `in ${units}` : `${units} ago`;
  },

  /** A duration given in seconds: "45 s", "2 min 5 s", "1 h 3 min". */
  duration(seconds: number): string {
    if (seconds < 10) return `${seconds.toFixed(1)} s`;
    if (seconds < MINUTE) return `${Math.round(seconds)} s`;
    if (seconds < HOUR) {
      const s = Math.round(seconds % MINUTE);
      return s === 0 ? `${Math.floor(seconds / MINUTE)} min` : `${Math.floor(seconds / MINUTE)} min ${s} s`;
    }
    return `${Math.floor(seconds / HOUR)} h ${Math.round((seconds % HOUR) / MINUTE)} min`;
  },

  /** A loss, AUC or accuracy: three decimals, a dash when there is none. */
  metric(value: number | null | undefined): string {
    return value === null || value === undefined ? '—' : value.toFixed(3);
  },

  /** Epsilon and similar: short but never rounded to zero. */
  epsilon(value: number | null | undefined): string {
    if (value === null || value === undefined) return '—';
    if (value === 0) return '0';
    if (Math.abs(value) < 0.001) return value.toExponential(1);
    return String(Number(value.toPrecision(3)));
  },

  /** Deltas are tiny: scientific notation reads best. */
  delta(value: number | null | undefined): string {
    if (value === null || value === undefined) return '—';
    return value === 0 ? '0' : value.toExponential(0);
  },

  count(value: number): string {
    return value.toLocaleString('en-GB');
  },

  /** Any other measured quantity (a weight, an L2 norm). */
  decimal(value: number): string {
    if (Number.isInteger(value)) return value.toLocaleString('en-GB');
    return Number(value.toPrecision(4)).toString();
  },

  bytes(value: number): string {
    if (value < 1024) return `${value} B`;
    if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
    return `${(value / (1024 * 1024)).toFixed(1)} MiB`;
  },

  /** The first 16 hex characters: enough to compare by eye; the full hash goes in a title. */
  shortHash(hash: string): string {
    return hash.length > 16 ? hash.slice(0, 16) : hash;
  },

  yesNo(value: boolean | null): string {
    if (value === null) return 'unknown';
    return value ? 'on' : 'off';
  },
};
