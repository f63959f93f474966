/**
 * Runs the trainer as a separate Node.js child process. It keeps the
 * agent's memory (and its credentials) out of the trainer's reach and bounds
 * its run time. Under bubblewrap (when installed and usable) it also loses
 * the network and sees only what it needs; without it, the child has the
 * agent's user, network and file access. The Docker sandbox is the
 * isolating one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bubblewrapArgs, bubblewrapUsable } from './bubblewrap';
import { removeNonRegularEntries } from './output-dir';
import type { Sandbox, SandboxExit, SandboxLimits, SandboxRun, SandboxSpec } from './sandbox';

const MAX_LOG_BYTES = 64 * 1024;

/** The compiled trainer entry point, from either the dist/ tree or the sources (jest runs the sources). */
export function trainerScript(): string {
  if (__filename.endsWith('.js')) return join(__dirname, '..', 'trainer', 'trainer-main.js');
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'participant-agent', 'trainer', 'trainer-main.js');
}

/** The folder holding dist/ and node_modules/ above the trainer script. */
function repositoryRoot(script: string): string {
  let dir = dirname(script);
  while (!existsSync(join(dir, 'node_modules')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export interface ProcessSandboxOptions {
  bubblewrap?: 'auto' | 'off';
  /** Why the process sandbox is used instead of the Docker one (the config's choice, or Docker's absence). */
  reason?: string;
}

export class ProcessSandbox implements Sandbox {
  readonly kind = 'process';
  readonly limits: SandboxLimits | null = null;
  readonly weakened: string;

  /** Whether runs are wrapped in bubblewrap: decided once, when the sandbox is made. */
  readonly bubblewrap: boolean;

  constructor(private readonly script = trainerScript(), options: ProcessSandboxOptions = {}) {
    this.bubblewrap = options.bubblewrap !== 'off' && bubblewrapUsable();
    const isolation = this.bubblewrap
      ? 'the trainer runs in a child process under bubblewrap: no network, but no memory, PID or output limits'
      : "the trainer runs in a plain child process with the agent's user, network and file access";
    this.weakened = `${options.reason ?? 'the process sandbox was chosen'}; ${isolation}`;
  }

  async isAvailable(): Promise<boolean> {
    return existsSync(this.script);
  }

  async describeUnavailable(): Promise<string> {
    return existsSync(this.script) ? 'the process sandbox is available' : `the trainer is not built (${this.script} is missing): run npm run build`;
  }

  /** The child process reads the dataset where it is. */
  dataPathInside(hostPath: string): string {
    return hostPath;
  }

  /** Child processes die with the agent; nothing is left behind. */
  async sweep(): Promise<number> {
    return 0;
  }

  async start(spec: SandboxSpec): Promise<SandboxRun> {
    const command = [process.execPath, this.script, '--input', spec.inputDir, '--output', spec.outputDir];
    const [program, ...args] = this.bubblewrap
      ? ['bwrap', ...bubblewrapArgs({ root: repositoryRoot(this.script), script: this.script, dataPath: spec.dataPath, inputDir: spec.inputDir, outputDir: spec.outputDir }, command)]
      : command;
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Only what the trainer needs: no agent secrets travel through the environment.
      env: { PATH: process.env.PATH ?? '', SHOAL_TF_BACKEND: process.env.SHOAL_TF_BACKEND ?? '', NODE_OPTIONS: '' },
    });
    let logs = '';
    const capture = (chunk: Buffer): void => {
      if (logs.length < MAX_LOG_BYTES) logs += chunk.toString('utf8').slice(0, MAX_LOG_BYTES - logs.length);
    };
    child.stdout.on('data', capture);
    child.stderr.on('data', capture);
    let timedOut = false;
    let cancelled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, spec.timeoutMs);
    const exited = new Promise<SandboxExit>((resolve) => {
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ exitCode: null, signal: null, timedOut, cancelled, oomKilled: false, outputTooLarge: false, imageDigest: '', logs: `${logs}\n${err.message}` });
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        // As in the Docker sandbox: nothing the agent reads from the output folder may be a link to one of its own files.
        void removeNonRegularEntries(spec.outputDir).then((removed) => {
          const note = removed.length ? `\n[shoal] removed non-regular output entries: ${removed.slice(0, 20).join(', ')}` : '';
          resolve({ exitCode, signal, timedOut, cancelled, oomKilled: false, outputTooLarge: false, imageDigest: '', logs: logs + note });
        });
      });
    });
    return {
      wait: () => exited,
      cancel: () => {
        cancelled = true;
        child.kill('SIGKILL');
      },
      logs: () => logs,
    };
  }
}
