/**
 * The test's side of the hostile-aggregator suite: starts the hostile
 * aggregator process (hostile-aggregator-main.ts) with the job's aggregator
 * certificate, opens collections at an aggregator (hostile or honest) as the
 * coordinator would, runs one participant process per org
 * (hostile-aggregator-participant.ts) and reports how each ended.
 */
import type { AggregatorClient } from '../../aggregator';
import { settingsToWire, type SecureCollectionSettings } from '../../common/grpc/secagg-codec';
import type { TlsFiles } from '../../common/pki';
import { encodedLength } from '../../common/secagg';
import type { ProcessTracker } from './process-tracker';
import { hostileAggregatorScript, hostileParticipantScript, writeHostileAggregatorScript, writeHostileParticipantJob, type HostileAggregatorEvent, type HostileAggregatorScript, type HostileParticipantJob, type Obtained } from './hostile-aggregator-script';
import { settingsToJson } from './secagg-participant-job';
import { CHILD_ENV } from './shoal-processes';
import type { SpawnedProcess } from './spawned-process';

const READY_MS = 15_000;
const PARTICIPANT_EXIT_MS = 40_000;

function jsonLines<T>(text: string): T[] {
  const parsed: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      parsed.push(JSON.parse(line) as T);
    } catch {
      // A line still being written.
    }
  }
  return parsed;
}

export class HostileAggregator {
  private constructor(readonly process: SpawnedProcess, readonly address: string) {}

  static async start(tracker: ProcessTracker, dir: string, script: HostileAggregatorScript): Promise<HostileAggregator> {
    const path = writeHostileAggregatorScript(dir, script);
    const child = tracker.spawnNode(`hostile aggregator ${script.jobId}`, hostileAggregatorScript, [path], { env: CHILD_ENV });
    await child.waitForOutput('stdout', /"event":"ready".*\n/, READY_MS);
    const ready = jsonLines<HostileAggregatorEvent>(child.stdout).find((e): e is Extract<HostileAggregatorEvent, { event: 'ready' }> => e.event === 'ready');
    if (!ready) throw new Error(`the hostile aggregator printed no ready line: ${child.stdout}`);
    return new HostileAggregator(child, `127.0.0.1:${ready.port}`);
  }

  get events(): HostileAggregatorEvent[] {
    return jsonLines<HostileAggregatorEvent>(this.process.stdout);
  }

  /** Asks the hostile aggregator to unmask what it can of `collectionId` and returns what it obtained. */
  async obtained(collectionId: string, timeoutMs = 10_000): Promise<Obtained> {
    const before = this.events.filter((e) => e.event === 'obtained').length;
    this.process.signal('SIGUSR2');
    const until = Date.now() + timeoutMs;
    for (;;) {
      const reports = this.events.filter((e): e is Extract<HostileAggregatorEvent, { event: 'obtained' }> => e.event === 'obtained');
      const found = reports.slice(before).find((e) => e.collectionId === collectionId);
      if (found) {
        const { event: _event, ...obtained } = found;
        return obtained;
      }
      if (!this.process.running) throw new Error(`the hostile aggregator exited:\n${this.process.stderr}`);
      if (Date.now() > until) throw new Error(`the hostile aggregator reported nothing for ${collectionId}:\n${this.process.stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The survivor sets it told, by org. */
  told(collectionId: string): Map<string, string[]> {
    const told = new Map<string, string[]>();
    for (const e of this.events) if (e.event === 'survivors-told' && e.collectionId === collectionId) told.set(e.orgId, e.survivors);
    return told;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

export interface Member {
  orgId: string;
  privateKeyPem: string;
  tls: TlsFiles;
  vector: number[];
  weight: number;
  minSurvivors: number;
  ledger?: HostileParticipantJob['ledger'];
  corruptRevealedShares?: boolean;
}

export interface CollectionRun {
  client: AggregatorClient;
  aggregatorAddress: string;
  jobId: string;
  collectionId: string;
  dir: string;
  /** The whole cohort's settings, roster included (colluders too). */
  settings: SecureCollectionSettings;
  minContributors: number;
  deadlineMs: number;
  /** The participant processes to run: the cohort less any colluders played by the hostile aggregator. */
  members: Member[];
  /** Called once the collection is open, before any participant starts (e.g. to start collecting). */
  onOpened?: () => void;
}

export interface MemberOutcome {
  code: number | null;
  phases: string[];
  done: boolean;
  error?: { code: string; message: string };
}

export function cohortSettings(identityKeys: Map<string, Uint8Array>, threshold: number, degree: number, elements: number, phaseTimeoutMs: number): SecureCollectionSettings {
  return { threshold, degree, identityKeys, encoding: { kind: 'exact' }, encodedElementCount: encodedLength({ kind: 'exact' }, elements), phaseTimeoutMs };
}

/** Opens the collection as the coordinator would and runs every member to its end. */
export async function runMembers(tracker: ProcessTracker, run: CollectionRun): Promise<Map<string, MemberOutcome>> {
  const deadlineUnixMs = Date.now() + run.deadlineMs;
  const cohort = [...run.settings.identityKeys.keys()];
  await run.client.openCollection(
    {
      jobId: run.jobId,
      collectionId: run.collectionId,
      expectedOrgs: cohort,
      minContributors: run.minContributors,
      elementCount: run.members[0].vector.length,
      dtype: 'DTYPE_FLOAT64',
      deadlineUnixMs,
      secure: settingsToWire(run.settings),
    },
    10_000,
  );
  run.onOpened?.();
  const processes = run.members.map((member) => {
    const path = writeHostileParticipantJob(run.dir, {
      aggregatorAddress: run.aggregatorAddress,
      jobId: run.jobId,
      collectionId: run.collectionId,
      orgId: member.orgId,
      identityPem: member.privateKeyPem,
      tls: member.tls,
      settings: settingsToJson(run.settings),
      deadlineUnixMs,
      vector: member.vector,
      weight: member.weight,
      minSurvivors: member.minSurvivors,
      ledger: member.ledger,
      corruptRevealedShares: member.corruptRevealedShares,
    });
    return { orgId: member.orgId, process: tracker.spawnNode(`participant ${member.orgId}`, hostileParticipantScript, [path]) };
  });
  const outcomes = new Map<string, MemberOutcome>();
  for (const { orgId, process } of processes) {
    const exit = await process.waitForExit(PARTICIPANT_EXIT_MS);
    const out = jsonLines<Record<string, unknown>>(process.stdout);
    const failure = jsonLines<Record<string, unknown>>(process.stderr).find((line) => typeof line.code === 'string');
    outcomes.set(orgId, {
      code: exit.code,
      phases: out.filter((line) => typeof line.phase === 'string').map((line) => line.phase as string),
      done: out.some((line) => line.done === true),
      error: failure ? { code: String(failure.code), message: String(failure.message) } : undefined,
    });
  }
  return outcomes;
}
