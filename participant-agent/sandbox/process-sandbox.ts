/**
 * Runs the trainer as a separate Node.js child process. It keeps the
 * agent's memory (and its credentials) out of the trainer's reach and bounds
 * its run time, but it is not a security boundary: the child has the agent's
 * user, network and file access. The Docker sandbox is the isolating one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sandbox, SandboxExit, SandboxRun, SandboxSpec } from './sandbox';

const MAX_LOG_BYTES = 64 * 1024;

/** The compiled trainer entry point, from either the dist/ tree or the sources (jest runs the sources). */
export function trainerScript(): string {
  if (__filename.endsWith('.js')) return join(__dirname, '..', 'trainer', 'trainer-main.js');
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'participant-agent', 'trainer', 'trainer-main.js');
}

export class ProcessSandbox implements Sandbox {
  readonly kind = 'process';

  constructor(private readonly script = trainerScript()) {}

  async isAvailable(): Promise<boolean> {
    return existsSync(this.script);
  }

  async start(spec: SandboxSpec): Promise<SandboxRun> {
    const child = spawn(process.execPath, [this.script, '--input', spec.inputDir, '--output', spec.outputDir], {
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
        resolve({ exitCode: null, signal: null, timedOut, cancelled, logs: `${logs}\n${err.message}` });
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        resolve({ exitCode, signal, timedOut, cancelled, logs });
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
