/**
 * Where training on the organisation's data runs. The process sandbox is the
 * first implementation; a Docker sandbox (no network, read-only data) will
 * implement the same interface.
 */
export interface SandboxSpec {
  /** Read by the trainer: task.json, model.bin. */
  inputDir: string;
  /** Written by the trainer: result.json and contribution.bin, or error.json. */
  outputDir: string;
  /** The dataset file, the only organisation data the trainer may read. */
  dataPath: string;
  timeoutMs: number;
  labels: Record<string, string>;
}

export interface SandboxExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The trainer's stdout/stderr, bounded. */
  logs: string;
}

export interface SandboxRun {
  wait(): Promise<SandboxExit>;
  cancel(reason: string): void;
  logs(): string;
}

export interface Sandbox {
  readonly kind: string;
  isAvailable(): Promise<boolean>;
  start(spec: SandboxSpec): Promise<SandboxRun>;
}
