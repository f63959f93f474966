/**
 * Times `shoal simulate` end to end: the compiled CLI runs the credit-default
 * federation in the process sandbox, and the benchmark watches the job's
 * status.json (rewritten on every job event) for round 1's completion. Time
 * to first round is from starting the command until then; the total is the
 * command's wall time. The simulation's own report adds its split between
 * the federated job and the centralized baseline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledScript, startProcess, waitForExit } from './bench-process';

export interface SimulateTiming {
  status: 'measured';
  command: string;
  /** From starting the command until round 1 completed (the coordinator's round.completed event). */
  timeToFirstRoundSeconds: number;
  totalWallSeconds: number;
  /** From the simulation's report.json. */
  rounds: number;
  orgs: number;
  sandbox: string;
  federatedSeconds: number;
  centralizedSeconds: number;
  meanRoundSeconds: number;
}

export interface SimulateSkipped {
  status: 'failed';
  command: string;
  reason: string;
}

const POLL_MS = 50;

function firstRoundAt(statusPath: string): number | null {
  try {
    const status = JSON.parse(readFileSync(statusPath, 'utf8')) as { round?: number; lastEvent?: { type?: string; round?: number; at?: string } | null };
    const event = status.lastEvent;
    if (event?.type === 'round.completed' && event.round === 1 && event.at) return Date.parse(event.at);
    return (status.round ?? 0) >= 1 ? Date.now() : null;
  } catch {
    return null;
  }
}

export async function timeSimulate(outDir: string, timeoutMs: number): Promise<SimulateTiming | SimulateSkipped> {
  const args = ['simulate', '--sandbox', 'process', '--out', outDir];
  const command = `node dist/cli/shoal.js ${args.join(' ')}`;
  const startedAt = Date.now();
  const cli = startProcess('shoal simulate', process.execPath, [compiledScript('cli/shoal.js'), ...args], join(outDir, '..', 'simulate.log'));
  const statusPath = join(outDir, 'job', 'status.json');
  let firstRound: number | null = null;
  const poll = setInterval(() => {
    if (firstRound === null && existsSync(statusPath)) firstRound = firstRoundAt(statusPath);
  }, POLL_MS);
  try {
    const code = await waitForExit(cli, timeoutMs);
    if (code !== 0) return { status: 'failed', command, reason: `exit code ${code} (see ${join(outDir, '..', 'simulate.log')})` };
  } catch (err) {
    return { status: 'failed', command, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearInterval(poll);
  }
  const totalWallSeconds = (Date.now() - startedAt) / 1000;
  const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as { rounds: number; orgs: number; sandbox: string; federatedSeconds: number; centralizedSeconds: number; perRound: Array<{ seconds: number }> };
  if (firstRound === null) return { status: 'failed', command, reason: 'round 1 never completed' };
  const seconds = report.perRound.map((r) => r.seconds);
  return {
    status: 'measured',
    command,
    timeToFirstRoundSeconds: (firstRound - startedAt) / 1000,
    totalWallSeconds,
    rounds: report.rounds,
    orgs: report.orgs,
    sandbox: report.sandbox,
    federatedSeconds: report.federatedSeconds,
    centralizedSeconds: report.centralizedSeconds,
    meanRoundSeconds: seconds.length > 0 ? seconds.reduce((a, b) => a + b, 0) / seconds.length : Number.NaN,
  };
}
