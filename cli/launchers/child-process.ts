/**
 * Starts a job's coordinator and aggregator as child processes and stops
 * them again. Each announces its bound port on one stdout line; its logs
 * (stderr) go to a file in the job's output directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ShoalError } from '../../common/errors';
import { parseReadyLine } from '../../common/process-lifecycle';

export interface LaunchedProcess {
  name: string;
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

const READY_TIMEOUT_MS = 30_000;

/** Compiled entry point of a component (the CLI itself runs from dist/). */
export function componentScript(component: 'coordinator' | 'aggregator' | 'participant-agent'): string {
  return join(__dirname, '..', '..', component, 'main.js');
}

export function launchProcess(name: string, script: string, args: string[], logFile: string): Promise<LaunchedProcess> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const log = createWriteStream(logFile, { flags: 'a' });
  // A log that cannot be written (a full disk) must not take the CLI down; the process runs on.
  log.on('error', (err) => {
    child.stderr?.unpipe(log);
    child.stderr?.resume();
    process.stderr.write(`shoal: stopped writing ${logFile}: ${err.message}\n`);
  });
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ShoalError('LAUNCH_FAILED', `${name} did not start within ${READY_TIMEOUT_MS / 1000} s (see ${logFile})`, { component: 'cli' }));
    }, READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const ready = parseReadyLine(line);
      if (!ready) return;
      clearTimeout(timer);
      resolve({ name, child, port: Number(ready.port), exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new ShoalError('LAUNCH_FAILED', `${name} exited with code ${code} before it was ready (see ${logFile})`, { component: 'cli' }));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(launched: LaunchedProcess | undefined, graceMs = 5000): Promise<void> {
  if (!launched || launched.child.exitCode !== null || launched.child.signalCode !== null) return;
  launched.child.kill('SIGTERM');
  const timer = setTimeout(() => launched.child.kill('SIGKILL'), graceMs);
  await launched.exited;
  clearTimeout(timer);
}
