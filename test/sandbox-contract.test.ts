/**
 * The Sandbox contract, one suite run against every implementation: the
 * process sandbox (the compiled trainer as a child process) and the Docker
 * sandbox (the trainer image). Each case prepares a task directory as the
 * agent does, runs the real trainer on a small credit-default slice, and
 * checks the exit record, the files the trainer left and that nothing of
 * the run is still around afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { JobSpec } from '../common/job-spec';
import { DockerSandbox } from '../participant-agent/sandbox/docker-sandbox';
import { ProcessSandbox } from '../participant-agent/sandbox/process-sandbox';
import type { Sandbox, SandboxExit, SandboxSpec } from '../participant-agent/sandbox/sandbox';
import { PROJECTED_DATASET_FILE, writeProjectedDataset } from '../participant-agent/sandbox/projected-dataset';
import { TRAINER_EXIT, TRAINER_FILES } from '../participant-agent/trainer/trainer-contract';
import { writeBankData } from './support/bank-data';
import { dockerOrSkip, ensureTestImages } from './support/docker-engine';
import { logFlood } from './support/hostile-scripts';
import { assertBuilt } from './support/repo-paths';
import { containersOfAgent, processesMentioning } from './support/sandbox-leftovers';
import { makeTempDir, removeTempDir } from './support/temp-dir';
import { creditDefaultSpec, initialWeights, readTrainerOutput, trainerTask, writeTaskDirs } from './support/trainer-task-dir';

const ROWS = 300;
/** 10% of the rows are kept for validation; fit trains on the rest and weighs its update by them. */
const TRAIN_ROWS = 270;
const RUN_TIMEOUT_MS = 60_000;
/** How long a killed run may take to be reported: the kill, the engine's bookkeeping, the removal. */
const PROMPT_MS = 5_000;
/** Both sandboxes keep at most 64 KiB of logs, plus a one-line note of what was left out. */
const LOG_BOUND = 64 * 1024 + 100;
const MIB = 1024 * 1024;

/** One implementation, as the contract sees it. */
interface SandboxSubject {
  /** Runs the real trainer. */
  trainer: Sandbox;
  /** Runs logFlood() instead of the trainer. */
  flooder: Sandbox;
  /** The image id exit records carry ('' outside a container). */
  imageDigest: string;
  /** The exit code of a run the sandbox killed: null for a child process, 137 from Docker. */
  killedExitCode: number | null;
  /** Descriptions of whatever a finished run left behind (containers, live processes). */
  leftovers(runDir: string): Promise<string[]>;
}

/** Every field of the exit record but the logs. */
function outcome(exit: SandboxExit): Omit<SandboxExit, 'logs'> {
  const { logs: _logs, ...rest } = exit;
  return rest;
}

function sandboxContract(name: string, describeIt: jest.Describe, create: (dir: string) => Promise<SandboxSubject>): void {
  describeIt(`Sandbox contract: ${name}`, () => {
    let dir: string;
    let subject: SandboxSubject;
    let spec: JobSpec;
    let datasetPath: string;
    let weights: Float32Array;
    let runCount = 0;

    beforeAll(async () => {
      assertBuilt();
      dir = makeTempDir(`sandbox-${name}`);
      spec = creditDefaultSpec();
      datasetPath = writeBankData(dir, { orgIds: ['bank-1'], rowsPerBank: ROWS, heldOutRows: 0, seed: 'sandbox-contract' }).banks[0].path;
      weights = await initialWeights(spec);
      subject = await create(dir);
      expect(await subject.trainer.isAvailable()).toBe(true);
    }, 300_000);

    afterAll(() => removeTempDir(dir));

    function runSpec(dirs: { inputDir: string; outputDir: string }, timeoutMs = RUN_TIMEOUT_MS): SandboxSpec {
      return { ...dirs, dataPath: datasetPath, timeoutMs, labels: { job: 'sandbox-contract', round: String(++runCount) } };
    }

    async function expectNothingLeft(runDir: string): Promise<void> {
      expect(await subject.leftovers(runDir)).toEqual([]);
    }

    test('a statistics task succeeds: exit 0, result.json with 1 + 2 × 23 elements, contribution.bin of that many float64', async () => {
      const inside = subject.trainer.dataPathInside(datasetPath);
      const dirs = writeTaskDirs(dir, 'statistics', trainerTask(spec, 'statistics', inside));

      const run = await subject.trainer.start(runSpec(dirs));
      const exit = await run.wait();

      expect(outcome(exit)).toEqual({ exitCode: 0, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      const output = readTrainerOutput(dirs.outputDir);
      expect(output.files).toEqual(['contribution.bin', 'result.json']);
      expect(output.result).toMatchObject({ kind: 'statistics', weight: 1, elementCount: 47, dtype: 'float64', epochLosses: [] });
      expect(output.contribution?.length).toBe(47 * 8);
      // The first element counts the training rows.
      expect(output.contribution?.readDoubleLE(0)).toBe(TRAIN_ROWS);
      await expectNothingLeft(join(dir, 'statistics'));
    });

    test('a statistics task on the run copy of the granted columns succeeds as on the original (the agent hands the trainer only that copy)', async () => {
      const dirs = writeTaskDirs(dir, 'run-copy', null);
      const copy = await writeProjectedDataset({ source: datasetPath, columns: [...spec.dataset.features, spec.dataset.label], target: join(dir, 'run-copy', PROJECTED_DATASET_FILE) });
      writeFileSync(join(dirs.inputDir, TRAINER_FILES.task), JSON.stringify(trainerTask(spec, 'statistics', subject.trainer.dataPathInside(copy.path))));

      const run = await subject.trainer.start({ ...runSpec(dirs), dataPath: copy.path, dataIsRunCopy: true });
      const exit = await run.wait();

      expect(outcome(exit)).toEqual({ exitCode: 0, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      const output = readTrainerOutput(dirs.outputDir);
      expect(output.files).toEqual(['contribution.bin', 'result.json']);
      expect(output.result).toMatchObject({ kind: 'statistics', weight: 1, elementCount: 47, dtype: 'float64' });
      expect(output.contribution?.readDoubleLE(0)).toBe(TRAIN_ROWS);
      await expectNothingLeft(join(dir, 'run-copy'));
    });

    test('a fit task succeeds: exit 0, an update as long as the model, weighed by the training rows', async () => {
      const inside = subject.trainer.dataPathInside(datasetPath);
      const dirs = writeTaskDirs(dir, 'fit', trainerTask(spec, 'fit', inside), weights);

      const run = await subject.trainer.start(runSpec(dirs));
      const exit = await run.wait();

      expect(outcome(exit)).toEqual({ exitCode: 0, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      const output = readTrainerOutput(dirs.outputDir);
      expect(output.files).toEqual(['contribution.bin', 'result.json']);
      expect(output.result).toMatchObject({ kind: 'fit', weight: TRAIN_ROWS, elementCount: weights.length, dtype: 'float32' });
      expect(output.result?.epochLosses).toHaveLength(1);
      expect(output.contribution?.length).toBe(weights.length * 4);
      await expectNothingLeft(join(dir, 'fit'));
    });

    test('a task naming a column the dataset lacks fails with exit 2 and error.json code DATASET_INVALID', async () => {
      const inside = subject.trainer.dataPathInside(datasetPath);
      const dirs = writeTaskDirs(dir, 'missing-column', trainerTask(spec, 'statistics', inside, { features: ['X1', 'X99'] }));

      const run = await subject.trainer.start(runSpec(dirs));
      const exit = await run.wait();

      expect(outcome(exit)).toEqual({ exitCode: TRAINER_EXIT.dataError, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      const output = readTrainerOutput(dirs.outputDir);
      expect(output.files).toEqual(['error.json']);
      expect(output.failure?.code).toBe('DATASET_INVALID');
      expect(output.failure?.message).toContain('lacks the column(s) X99');
      await expectNothingLeft(join(dir, 'missing-column'));
    });

    test('a task that never finishes is killed at its timeout: timedOut true, promptly', async () => {
      const inside = subject.trainer.dataPathInside(datasetPath);
      const dirs = writeTaskDirs(dir, 'timeout', trainerTask(spec, 'fit', inside, { localEpochs: 1_000_000 }), weights);
      const timeoutMs = 3_000;

      const started = Date.now();
      const run = await subject.trainer.start(runSpec(dirs, timeoutMs));
      const exit = await run.wait();
      const elapsed = Date.now() - started;

      expect(outcome(exit)).toEqual({ exitCode: subject.killedExitCode, signal: 'SIGKILL', timedOut: true, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
      expect(elapsed).toBeLessThan(timeoutMs + PROMPT_MS);
      expect(readTrainerOutput(dirs.outputDir).files).toEqual([]);
      await expectNothingLeft(join(dir, 'timeout'));
    });

    test('cancel() stops a running task: cancelled true, promptly', async () => {
      const inside = subject.trainer.dataPathInside(datasetPath);
      const dirs = writeTaskDirs(dir, 'cancel', trainerTask(spec, 'fit', inside, { localEpochs: 1_000_000 }), weights);
      const run = await subject.trainer.start(runSpec(dirs));
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      const cancelledAt = Date.now();
      run.cancel('the test cancels it');
      const exit = await run.wait();

      expect(outcome(exit)).toEqual({ exitCode: subject.killedExitCode, signal: 'SIGKILL', timedOut: false, cancelled: true, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      expect(Date.now() - cancelledAt).toBeLessThan(PROMPT_MS);
      expect(readTrainerOutput(dirs.outputDir).files).toEqual([]);
      await expectNothingLeft(join(dir, 'cancel'));
    });

    test("the trainer's stderr is captured: a task directory without task.json exits 3 and says why", async () => {
      const dirs = writeTaskDirs(dir, 'no-task', null);

      const run = await subject.trainer.start(runSpec(dirs));
      const exit = await run.wait();

      expect(outcome(exit)).toEqual({ exitCode: TRAINER_EXIT.taskError, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false, imageDigest: subject.imageDigest });
      expect(exit.logs).toMatch(/shoal-trainer: .*task\.json/);
      expect(run.logs()).toBe(exit.logs);
      await expectNothingLeft(join(dir, 'no-task'));
    });

    test('logs are bounded: 2 × 40,000 lines (about 6 MiB) come back as at most 64 KiB', async () => {
      const dirs = writeTaskDirs(dir, 'log-flood', null);

      const run = await subject.flooder.start(runSpec(dirs));
      const exit = await run.wait();

      expect(outcome(exit)).toMatchObject({ exitCode: 0, signal: null, timedOut: false, cancelled: false, oomKilled: false, outputTooLarge: false });
      // Booleans and lengths, so a failure does not print 64 KiB. Which part is kept is the implementation's choice.
      expect(/flood (out|err) \d+ x{60}\n/.test(exit.logs)).toBe(true);
      expect(exit.logs.length).toBeGreaterThan(1024);
      expect(exit.logs.length).toBeLessThanOrEqual(LOG_BOUND);
      expect(run.logs() === exit.logs).toBe(true);
      await expectNothingLeft(join(dir, 'log-flood'));
    });
  });
}

sandboxContract('process', describe, async (dir) => {
  const floodScript = join(dir, 'flood.js');
  writeFileSync(floodScript, logFlood(40_000));
  return {
    trainer: new ProcessSandbox(),
    flooder: new ProcessSandbox(floodScript),
    imageDigest: '',
    killedExitCode: null,
    leftovers: async (runDir) => processesMentioning(runDir),
  };
});

const docker: Dockerode | null = dockerOrSkip('Sandbox contract: docker');

sandboxContract('docker', docker ? describe : describe.skip, async () => {
  const engine = docker as Dockerode;
  const images = await ensureTestImages(engine);
  const agentId = `contract-${process.pid}-${Date.now().toString(36)}`;
  const limits = { memoryBytes: 1024 * MIB, nanoCpus: 2e9, pids: 128, outputBytes: 64 * MIB, outputEntries: 64 };
  const trainer = new DockerSandbox({ docker: engine, image: images.trainerImage, agentId, limits });
  return {
    trainer,
    flooder: new DockerSandbox({ docker: engine, image: images.baseImage, command: ['/usr/local/bin/node', '-e', logFlood(40_000)], agentId, limits }),
    imageDigest: images.trainerDigest,
    killedExitCode: 137,
    leftovers: () => containersOfAgent(engine, agentId),
  };
});
