/**
 * One child process started by a test: its stdout and stderr captured into
 * strings (and optionally a log file) so tests can wait for and assert on
 * lines, and a stop that always works, even on a process frozen by SIGSTOP.
 * Each child leads its own process group, so stopping it also ends whatever
 * it started itself (the CLI's coordinator and aggregator, an agent's trainers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Both streams are appended here as they arrive. */
  logFile?: string;
}

type StreamName = 'stdout' | 'stderr';

function tail(text: string, chars = 4000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

export class SpawnedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitStatus>;
  private readonly output: Record<StreamName, string> = { stdout: '', stderr: '' };
  private readonly listeners = new Set<() => void>();
  private readonly log: WriteStream | undefined;
  private status: ExitStatus | undefined;

  constructor(readonly name: string, command: string, args: string[], options: SpawnOptions = {}) {
    this.log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const capture = (stream: StreamName) => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output[stream] += text;
      this.log?.write(text);
      for (const listener of [...this.listeners]) listener();
    };
    this.child.stdout?.on('data', capture('stdout'));
    this.child.stderr?.on('data', capture('stderr'));
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.status) return;
        this.status = { code, signal };
        this.log?.end();
        for (const listener of [...this.listeners]) listener();
        resolve(this.status);
      };
      this.child.once('close', done);
      this.child.once('error', (err) => {
        this.output.stderr += `\n[spawn failed: ${err.message}]`;
        done(null, null);
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid (spawn failed)`);
    return this.child.pid;
  }

  get stdout(): string {
    return this.output.stdout;
  }

  get stderr(): string {
    return this.output.stderr;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** Sends a signal to this process only (not to its process group). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, signal);
  }

  /** Resolves with the captured text of `stream` once it matches `pattern`; rejects if the process exits first or time runs out. */
  waitForOutput(stream: StreamName, pattern: RegExp | string, timeoutMs: number): Promise<string> {
    const matches = (): boolean => (typeof pattern === 'string' ? this.output[stream].includes(pattern) : pattern.test(this.output[stream]));
    return this.until(matches, () => this.output[stream], `${stream} matching ${String(pattern)}`, timeoutMs);
  }

  /** Resolves when the process has exited (and its streams closed). */
  waitForExit(timeoutMs: number): Promise<ExitStatus> {
    return this.until(() => !this.running, () => this.status as ExitStatus, 'exit', timeoutMs, true);
  }

  private until<T>(done: () => boolean, value: () => T, what: string, timeoutMs: number, exitIsSuccess = false): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) return finish(() => resolve(value()));
        if (!this.running && !exitIsSuccess) {
          finish(() => reject(new Error(`${this.name} exited (${JSON.stringify(this.status)}) before ${what}; stderr:\n${tail(this.stderr)}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; stderr:\n${tail(this.stderr)}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Whether anything in this process's group (it, or what it started) is still alive. */
  groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** SIGCONT (in case it was frozen) and SIGTERM to its group; SIGKILL to the group after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.child.pid === undefined) return;
    if (this.running) {
      this.signalGroup('SIGCONT');
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Anything it started and left behind goes too.
    this.signalGroup('SIGKILL');
  }
}

export function spawnNode(name: string, script: string, args: string[], options: SpawnOptions = {}): SpawnedProcess {
  return new SpawnedProcess(name, process.execPath, [script, ...args], options);
}
