/**
 * The numbers of one round-overhead configuration, from its job's
 * coordinator report, aggregator log and participants' timings:
 *
 * - roundSeconds: the coordinator's perRound[].seconds (fit collection,
 *   server step, checkpoint, evaluation collection);
 * - fitSeconds: from the aggregator opening the round's fit collection to it
 *   opening the round's evaluation collection, i.e. the fit collection as
 *   the coordinator drives it (tasks sent, updates streamed and summed, the
 *   sum streamed back), plus the server step and the checkpoint write;
 * - lastUpdateSeconds: from the fit collection opening to the aggregator
 *   accepting the last update;
 * - broadcast: n · model bytes / (from the fit collection opening until the
 *   last participant held the whole model).
 *
 * Each is the mean over the measured rounds (the warm-up rounds left out).
 */
import type { MemoryReading } from './peak-memory';
import type { OverheadConfig, OverheadRun } from './overhead-job';

export interface OverheadResult {
  n: number;
  /** The d asked for, and the model's actual parameter count. */
  d: number;
  parameters: number;
  mode: OverheadConfig['mode'];
  status: 'measured';
  warmupRounds: number;
  measuredRounds: number;
  participantProcesses: number;
  participantsPerProcess: number;
  roundSeconds: number;
  fitSeconds: number;
  lastUpdateSeconds: number;
  /** The samples behind the means, one per measured round. */
  perRound: Array<{ round: number; roundSeconds: number; fitSeconds: number; lastUpdateSeconds: number; broadcastSeconds: number }>;
  broadcast: { modelMB: number; seconds: number; throughputMBps: number };
  memory: {
    coordinator: MemoryReading;
    aggregator: MemoryReading;
    /** Aggregator peak − its baseline, in model sizes (4·d bytes). */
    aggregatorPeakOverModel: number | null;
    /** Coordinator + aggregator peaks. */
    combinedPeakMB: number | null;
  };
  jobWallSeconds: number;
}

export interface SkippedResult {
  n: number;
  d: number;
  mode: OverheadConfig['mode'];
  status: 'skipped' | 'failed';
  reason: string;
}

const COLLECTION = /^(fit|evaluate|statistics)-(\d+)(?:\.\d+)?$/;

/** When each collection was opened and when its last contribution was accepted, by kind and round (first attempt opened). */
function collectionTimes(log: Array<Record<string, unknown>>): Map<string, { opened: number; lastAccepted: number }> {
  const times = new Map<string, { opened: number; lastAccepted: number }>();
  for (const line of log) {
    const match = typeof line.collection === 'string' ? COLLECTION.exec(line.collection) : null;
    if (!match || typeof line.time !== 'number') continue;
    const key = `${match[1]}-${match[2]}`;
    if (line.msg === 'collection opened' && !times.has(key)) times.set(key, { opened: line.time, lastAccepted: Number.NaN });
    const entry = times.get(key);
    if (line.msg === 'contribution accepted' && entry) entry.lastAccepted = line.time;
  }
  return times;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const round3 = (value: number): number => Math.round(value * 1000) / 1000;

export function overheadResult(config: OverheadConfig, run: OverheadRun, warmupRounds: number): OverheadResult {
  const times = collectionTimes(run.aggregatorLog);
  const modelBytes = 4 * run.parameters;
  const perRound: OverheadResult['perRound'] = [];
  for (const record of run.report.perRound.filter((r) => r.round > warmupRounds)) {
    const fit = times.get(`fit-${record.round}`);
    const evaluate = times.get(`evaluate-${record.round}`);
    if (!fit || !evaluate) throw new Error(`the aggregator log of ${run.jobId} lacks round ${record.round}'s collections`);
    const received = run.participants.flatMap((p) => p.tasks).filter((t) => t.kind === 'fit' && t.round === record.round).map((t) => t.receivedAt);
    if (received.length !== config.n) throw new Error(`${received.length} of ${config.n} participants reported round ${record.round}'s fit task`);
    perRound.push({
      round: record.round,
      roundSeconds: record.seconds,
      fitSeconds: (evaluate.opened - fit.opened) / 1000,
      lastUpdateSeconds: (fit.lastAccepted - fit.opened) / 1000,
      broadcastSeconds: (Math.max(...received) - fit.opened) / 1000,
    });
  }
  if (perRound.length === 0) throw new Error(`${run.jobId} has no measured rounds`);
  const broadcastSeconds = mean(perRound.map((r) => r.broadcastSeconds));
  const { coordinator, aggregator } = run.memory;
  const aggregatorGrowth = aggregator.peakMB !== null && aggregator.baselineMB !== null ? aggregator.peakMB - aggregator.baselineMB : null;
  return {
    n: config.n,
    d: config.d,
    parameters: run.parameters,
    mode: config.mode,
    status: 'measured',
    warmupRounds,
    measuredRounds: perRound.length,
    participantProcesses: Math.ceil(config.n / config.participantsPerProcess),
    participantsPerProcess: config.participantsPerProcess,
    roundSeconds: round3(mean(perRound.map((r) => r.roundSeconds))),
    fitSeconds: round3(mean(perRound.map((r) => r.fitSeconds))),
    lastUpdateSeconds: round3(mean(perRound.map((r) => r.lastUpdateSeconds))),
    perRound,
    broadcast: { modelMB: modelBytes / 1e6, seconds: round3(broadcastSeconds), throughputMBps: Math.round((config.n * modelBytes) / 1e6 / broadcastSeconds) },
    memory: {
      coordinator,
      aggregator,
      aggregatorPeakOverModel: aggregatorGrowth === null ? null : Math.round((aggregatorGrowth / (modelBytes / 1e6)) * 100) / 100,
      combinedPeakMB: coordinator.peakMB !== null && aggregator.peakMB !== null ? Math.round(coordinator.peakMB + aggregator.peakMB) : null,
    },
    jobWallSeconds: round3(run.wallSeconds),
  };
}
