/**
 * The benchmark's child processes: Shoal's compiled coordinator and
 * aggregator (started with the same arguments as the process launcher, and
 * ready once they print their JSON ready line), nats-server, and the
 * benchmark's own participants. Logs (stderr) go to a file; every child is
 * stopped by its own pid, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseReadyLine } from '../common/process-lifecycle';

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
}

const READY_TIMEOUT_MS = 60_000;

/** Compiled entry point of a component, relative to dist/bench. */
export function compiledScript(relative: string): string {
  return join(__dirname, '..', relative);
}

export function startProcess(name: string, command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): BenchProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`${name} could not be started`);
  return { name, child, pid: child.pid, exited };
}

/** Starts a Node script and resolves with its bound port once it printed its ready line. */
export function startReadyProcess(name: string, script: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): Promise<BenchProcess & { port: number }> {
  const started = startProcess(name, process.execPath, [script, ...args], logFile, env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${READY_TIMEOUT_MS / 1000} s (see ${logFile})`));
    }, READY_TIMEOUT_MS);
    const lines = createInterface({ input: started.child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const ready = parseReadyLine(line);
      if (!ready) return;
      clearTimeout(timer);
      resolve({ ...started, port: Number(ready.port) });
    });
    void started.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready (see ${logFile})`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(started: BenchProcess | undefined, graceMs = 5000): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
  await started.exited;
  clearTimeout(timer);
}

/** Resolves with the exit code, or kills the process and rejects once `timeoutMs` has passed. */
export async function waitForExit(started: BenchProcess, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      reject(new Error(`${started.name} did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([started.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
