/**
 * Starting Shoal's compiled processes the way an operator would: a
 * participant agent per organisation (ready once it prints its JSON ready
 * line) and the `shoal` command line. Logs at info level go to stderr,
 * which the tests read.
 */
import { join } from 'node:path';
import type { ProcessTracker } from './process-tracker';
import { compiled } from './repo-paths';
import type { ExitStatus, SpawnedProcess } from './spawned-process';

export const CHILD_ENV = { SHOAL_LOG_LEVEL: 'info' };

const AGENT_READY_MS = 30_000;

export async function startAgent(tracker: ProcessTracker, orgId: string, configPath: string, logDir: string): Promise<SpawnedProcess> {
  const agent = tracker.spawnNode(`agent ${orgId}`, compiled.participantAgent, ['--config', configPath], { env: CHILD_ENV, logFile: join(logDir, `agent-${orgId}.log`) });
  await agent.waitForOutput('stdout', new RegExp(`"event":"ready".*"orgId":"${orgId}"`), AGENT_READY_MS);
  return agent;
}

export interface CliResult extends ExitStatus {
  stdout: string;
  stderr: string;
  seconds: number;
  cli: SpawnedProcess;
}

/** Starts `shoal <args>` and returns at once. */
export function startShoal(tracker: ProcessTracker, args: string[], logFile?: string): SpawnedProcess {
  return tracker.spawnNode(`shoal ${args.slice(0, 2).join(' ')}`, compiled.shoal, args, { env: CHILD_ENV, logFile });
}

/** Waits for a started `shoal` to end (failing the test if it outlives `timeoutMs`). */
export async function shoalResult(cli: SpawnedProcess, timeoutMs: number, started = Date.now()): Promise<CliResult> {
  const status = await cli.waitForExit(timeoutMs);
  return { ...status, stdout: cli.stdout, stderr: cli.stderr, seconds: (Date.now() - started) / 1000, cli };
}

/** Runs `shoal <args>` to its end. */
export function runShoal(tracker: ProcessTracker, args: string[], timeoutMs: number, logFile?: string): Promise<CliResult> {
  return shoalResult(startShoal(tracker, args, logFile), timeoutMs);
}
