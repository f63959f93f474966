/**
 * Peak memory of a child process, from Linux's /proc/<pid>/status: VmHWM is
 * the resident set's high-water mark, which only grows, so sampling it
 * often and keeping the last value read before the process exits gives its
 * peak. VmRSS when sampling starts is the baseline (the process idle, just
 * ready). Where /proc is missing, everything reads null.
 */
import { readFileSync } from 'node:fs';

export interface MemoryReading {
  /** VmRSS when sampling started, in MB (10^6 bytes). */
  baselineMB: number | null;
  /** The last VmHWM read, in MB. */
  peakMB: number | null;
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? (Number(match[1]) * 1024) / 1e6 : null;
  } catch {
    return null;
  }
}

export class PeakMemorySampler {
  private readonly timer: NodeJS.Timeout;
  private readonly reading: MemoryReading;

  constructor(private readonly pid: number, intervalMs = 50) {
    this.reading = { baselineMB: statusField(pid, 'VmRSS'), peakMB: statusField(pid, 'VmHWM') };
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const peak = statusField(this.pid, 'VmHWM');
    if (peak !== null) this.reading.peakMB = peak;
  }

  /** Samples once more (if the process still runs) and stops. */
  stop(): MemoryReading {
    this.sample();
    clearInterval(this.timer);
    return { ...this.reading };
  }
}
