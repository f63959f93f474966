/**
 * Tells open organisation consoles when something they show has changed.
 * The moderation queue is written by this agent and by `shoal agent`
 * commands in other processes, so the files are the one place to look: a
 * small fingerprint of each view (names and sizes, never contents) is taken
 * every half second while anyone is watching.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LiveFeed, LiveMessage } from '../../console';

type View = 'queue' | 'audit' | 'organisation';

export interface ChangeWatcherDeps {
  live: LiveFeed;
  moderationDir: string;
  auditLog: string;
  privacyLedger: string;
  activeJobs: () => Array<{ jobId: string }>;
  pollMs?: number;
}

/** Every file under `dir` with its size and modification time, as one string. */
function folderPrint(dir: string): string {
  const parts: string[] = [];
  const walk = (folder: string): void => {
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(folder, name);
      try {
        const s = statSync(path);
        if (s.isDirectory()) walk(path);
        else parts.push(`${path}:${s.size}:${s.mtimeMs}`);
      } catch {
        // Gone between listing and looking: the next poll sees the new state.
      }
    }
  };
  walk(dir);
  return parts.join('|');
}

function filePrint(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'none';
  }
}

export class ChangeWatcher {
  private timer: NodeJS.Timeout | undefined;
  private last: Record<View, string> | undefined;

  constructor(private readonly deps: ChangeWatcherDeps) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), this.deps.pollMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    if (this.deps.live.listening === 0) {
      this.last = undefined;
      return;
    }
    const now: Record<View, string> = {
      queue: folderPrint(this.deps.moderationDir),
      audit: filePrint(this.deps.auditLog),
      organisation: `${filePrint(this.deps.privacyLedger)}|${this.deps.activeJobs().map((j) => j.jobId).join(',')}`,
    };
    const before = this.last;
    this.last = now;
    if (!before) return;
    const views = (Object.keys(now) as View[]).filter((view) => now[view] !== before[view]);
    if (views.length > 0) this.deps.live.publish({ kind: 'changed', views } satisfies LiveMessage);
  }
}
