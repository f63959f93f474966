/**
 * The test's side of a hostile coordinator (hostile-coordinator-main.ts):
 * issues the job's coordinator certificate from the test's CA, writes the
 * script, starts the process, and reads back what it saw: who joined, which
 * tasks it handed out and every status report it received.
 */
import { join } from 'node:path';
import { issueJobCertificates } from '../../cli/job-certificates';
import type { ProcessTracker } from './process-tracker';
import { CHILD_ENV } from './shoal-processes';
import type { SpawnedProcess } from './spawned-process';
import { hostileCoordinatorScript, writeHostileScript, type HostileEvent, type HostileScript } from './hostile-script';
import type { TestPki } from './test-pki';

const READY_MS = 15_000;

export type HostileReport = Extract<HostileEvent, { event: 'report' }>;
export type HostileJoin = Extract<HostileEvent, { event: 'joined' }>;

export class HostileCoordinator {
  private constructor(readonly process: SpawnedProcess, readonly address: string) {}

  /** Starts a hostile coordinator for `script.jobId` (its `tls` is issued here) in `dir`. */
  static async start(tracker: ProcessTracker, pki: TestPki, dir: string, script: Omit<HostileScript, 'tls'>): Promise<HostileCoordinator> {
    const certificates = await issueJobCertificates(pki.dir, script.jobId, join(dir, script.jobId), '127.0.0.1');
    const path = writeHostileScript(dir, { ...script, tls: certificates.coordinator });
    const child = tracker.spawnNode(`hostile coordinator ${script.jobId}`, hostileCoordinatorScript, [path], { env: CHILD_ENV, logFile: join(dir, `hostile-${script.jobId}.log`) });
    await child.waitForOutput('stdout', /"event":"ready".*\n/, READY_MS);
    const ready = events(child.stdout).find((e): e is Extract<HostileEvent, { event: 'ready' }> => e.event === 'ready');
    if (!ready) throw new Error(`the hostile coordinator printed no ready line: ${child.stdout}`);
    return new HostileCoordinator(child, `127.0.0.1:${ready.port}`);
  }

  get events(): HostileEvent[] {
    return events(this.process.stdout);
  }

  get joins(): HostileJoin[] {
    return this.events.filter((e): e is HostileJoin => e.event === 'joined');
  }

  get reports(): HostileReport[] {
    return this.events.filter((e): e is HostileReport => e.event === 'report');
  }

  /** Waits until each of `orgIds` has joined. */
  async joined(orgIds: string[], timeoutMs: number): Promise<HostileJoin[]> {
    await this.until(() => orgIds.every((org) => this.joins.some((j) => j.orgId === org)), `joins of ${orgIds.join(', ')}`, timeoutMs);
    return this.joins;
  }

  /** Lets the scripted tasks go out (SIGUSR2). */
  release(): void {
    this.process.signal('SIGUSR2');
  }

  /** Waits for `count` status reports from each of `orgIds`. */
  async reported(orgIds: string[], count: number, timeoutMs: number): Promise<HostileReport[]> {
    await this.until(() => orgIds.every((org) => this.reports.filter((r) => r.orgId === org).length >= count), `${count} report(s) each from ${orgIds.join(', ')}`, timeoutMs);
    return this.reports;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  private async until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      if (!this.process.running) throw new Error(`the hostile coordinator exited before ${what}:\n${this.process.stderr}`);
      if (Date.now() > until) throw new Error(`the hostile coordinator saw no ${what} within ${timeoutMs} ms; it saw:\n${this.process.stdout}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function events(stdout: string): HostileEvent[] {
  const parsed: HostileEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      parsed.push(JSON.parse(line) as HostileEvent);
    } catch {
      // A line still being written.
    }
  }
  return parsed;
}
