/**
 * Where training on the organisation's data runs. Two implementations: the
 * Docker sandbox (no network, read-only data, capped memory, processes and
 * output) and the weaker process sandbox (a plain child process).
 */
export interface SandboxSpec {
  /** Read by the trainer: task.json, model.bin. */
  inputDir: string;
  /** Written by the trainer: result.json and contribution.bin, or error.json. */
  outputDir: string;
  /** The dataset file, the only organisation data the trainer may read. */
  dataPath: string;
  /**
   * True when dataPath is the agent's own copy for this run (see
   * projected-dataset.ts): the sandbox may then make it readable by its
   * trainer's user alone. Otherwise it is the organisation's file, which no
   * sandbox changes.
   */
  dataIsRunCopy?: boolean;
  timeoutMs: number;
  labels: Record<string, string>;
  /** What the job asks for; a sandbox with limits caps each at its own (the organisation's). */
  requested?: Partial<Pick<SandboxLimits, 'memoryBytes' | 'nanoCpus' | 'pids'>>;
}

export interface SandboxExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The kernel killed the trainer because it went over its memory limit. */
  oomKilled: boolean;
  /** The trainer wrote more than its output caps, in bytes or in entries (or a write failed with EFBIG / the trainer died of SIGXFSZ). */
  outputTooLarge: boolean;
  /** The id ("sha256:…") of the image the trainer ran in; '' outside a container. */
  imageDigest: string;
  /** The trainer's stdout/stderr, bounded. */
  logs: string;
}

export interface SandboxRun {
  wait(): Promise<SandboxExit>;
  cancel(reason: string): void;
  logs(): string;
}

/** The caps a sandbox enforces, where it enforces them. */
export interface SandboxLimits {
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  outputBytes: number;
  /** Files, folders and links in the output folder, at every depth: many tiny files fill a disk's inodes, not its bytes. */
  outputEntries: number;
}

/** The job's requests, each capped by the organisation's limit; what the job does not ask for gets the organisation's. */
export function effectiveLimits(organisation: SandboxLimits, requested: SandboxSpec['requested'] = {}): SandboxLimits {
  const capped = (own: number, asked: number | undefined): number => (asked !== undefined && asked > 0 ? Math.min(own, asked) : own);
  return {
    memoryBytes: capped(organisation.memoryBytes, requested.memoryBytes),
    nanoCpus: capped(organisation.nanoCpus, requested.nanoCpus),
    pids: capped(organisation.pids, requested.pids),
    outputBytes: organisation.outputBytes,
    outputEntries: organisation.outputEntries,
  };
}

export interface Sandbox {
  readonly kind: string;
  /** The caps every run gets; null when the sandbox does not enforce any. */
  readonly limits: SandboxLimits | null;
  /**
   * Why this sandbox isolates less than the Docker sandbox, for the log and
   * the audit log (sandbox.weakened); null when it is the Docker sandbox.
   */
  readonly weakened: string | null;
  isAvailable(): Promise<boolean>;
  /** Why isAvailable() is false, and what to do about it. */
  describeUnavailable(): Promise<string>;
  /** Where the trainer sees the dataset at hostPath (task.json's dataset.path). */
  dataPathInside(hostPath: string): string;
  start(spec: SandboxSpec): Promise<SandboxRun>;
  /** Removes what earlier runs of this agent left behind (after a crash); returns how many. */
  sweep(): Promise<number>;
}
