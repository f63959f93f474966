/**
 * A child process that is started again when it dies unexpectedly (killed
 * by a signal, or an internal error), on the same port so that the
 * participants who dial it find it again. A deliberate end (the job
 * completed or failed, a bad configuration) is final. Each restart is said
 * on stderr and in the process's log, and restarts are bounded, so a
 * process that crashes on every start does not loop forever.
 */
import { appendFileSync } from 'node:fs';
import { EXIT_CODES } from '../../common/process-lifecycle';
import { launchProcess, stopProcess, type LaunchedProcess } from './child-process';

export interface SupervisedProcessOptions {
  name: string;
  script: string;
  /** The command line of a start: `port` is 0 for the first and the bound port for restarts; `restart` tells a restart apart. */
  args: (start: { port: number; restart: boolean }) => string[];
  logFile: string;
  /** Restarts allowed over the process's life. */
  maxRestarts: number;
  /** Told about every restart (progress display). */
  onRestart?: (note: string) => void;
}

/** How a process ended on its own: codes that mean "done" are final; a signal or an internal error is a crash. */
function crashed(code: number | null): boolean {
  return code === null || code === EXIT_CODES.internal;
}

const RESTART_DELAY_MS = 500;

export class SupervisedProcess {
  private current: LaunchedProcess;
  private stopping = false;
  private restarts = 0;
  /** Resolves with the exit code of the last start, once no restart follows. */
  readonly exited: Promise<number | null>;

  private constructor(private readonly options: SupervisedProcessOptions, first: LaunchedProcess) {
    this.current = first;
    this.exited = this.watch();
  }

  static async start(options: SupervisedProcessOptions): Promise<SupervisedProcess> {
    const first = await launchProcess(options.name, options.script, options.args({ port: 0, restart: false }), options.logFile);
    return new SupervisedProcess(options, first);
  }

  get port(): number {
    return this.current.port;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await stopProcess(this.current);
    await this.exited;
  }

  private async watch(): Promise<number | null> {
    for (;;) {
      const code = await this.current.exited;
      const signal = this.current.child.signalCode;
      if (this.stopping || !crashed(code) || this.restarts >= this.options.maxRestarts) return code;
      this.restarts++;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const note = `the ${this.options.name} ${how}; starting it again on port ${this.current.port} (restart ${this.restarts} of ${this.options.maxRestarts})`;
      this.options.onRestart?.(note);
      appendFileSync(this.options.logFile, `[shoal] ${note}\n`);
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
      if (this.stopping) return code;
      try {
        this.current = await launchProcess(this.options.name, this.options.script, this.options.args({ port: this.current.port, restart: true }), this.options.logFile);
        if (this.stopping) await stopProcess(this.current);
      } catch (err) {
        this.options.onRestart?.(`the ${this.options.name} could not be started again: ${(err as Error).message}`);
        return code;
      }
    }
  }
}
