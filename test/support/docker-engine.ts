/**
 * The Docker engine for integration suites. dockerOrSkip() decides at
 * collection time (jest has no async describe): an engine that answers gives a
 * Dockerode; none gives null and a visible skip note, except in CI
 * (CI=true), where a missing engine fails the suite.
 *
 *   const docker = dockerOrSkip('docker sandbox');
 *   const describeDocker = docker ? describe : describe.skip;
 *
 * ensureTestImages() builds shoal-node-base and shoal-trainer once per run,
 * again only when the node, the trainer's dist files or its packages changed;
 * jest workers calling it together wait on one lock file.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { ensureLocalImages, ensureLocalTrainerImage } from '../../participant-agent/images';

const PING_SCRIPT = `
const Docker = require(process.argv[1]);
const timer = setTimeout(() => { console.error('no answer within 5 s'); process.exit(1); }, 5000);
new Docker().ping().then(() => { clearTimeout(timer); process.exit(0); }, (err) => { console.error(err.message); process.exit(1); });
`;

/** Asks the engine synchronously (in a child node) whether it answers; returns why not, or null. */
function engineProblem(): string | null {
  const child = spawnSync(process.execPath, ['-e', PING_SCRIPT, require.resolve('dockerode')], { encoding: 'utf8', timeout: 10_000 });
  if (child.status === 0) return null;
  return (child.stderr || child.error?.message || `exit ${child.status}`).trim();
}

export function dockerOrSkip(suite = 'Docker suites'): Dockerode | null {
  const problem = engineProblem();
  if (problem === null) return new Dockerode();
  const message = `no Docker engine answers (${problem}); start one with \`sudo dockerd > /tmp/dockerd.log 2>&1 &\` or set DOCKER_HOST`;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${message}. CI needs a Docker engine (.ci/run starts one).`);
  console.warn(`SKIPPING ${suite}: ${message}`);
  return null;
}

export interface TestImages {
  baseImage: string;
  trainerImage: string;
  trainerDigest: string;
}

const LOCK = join(tmpdir(), 'shoal-test-images.lock');
const LOCK_STALE_MS = 10 * 60_000;
const LOCK_WAIT_MS = 10 * 60_000;

function holderGone(): boolean {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8'));
    if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) return true;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ESRCH: the holder died; ENOENT: released meanwhile. EPERM means it lives under another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (holderGone()) {
        try {
          unlinkSync(LOCK);
        } catch {
          // another waiter removed it first
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS / 60_000} min for ${LOCK}; remove it if no test run is building images`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    try {
      if (readFileSync(LOCK, 'utf8') === String(process.pid)) unlinkSync(LOCK);
    } catch {
      // already gone
    }
  }
}

async function buildWhereStale(docker: Dockerode): Promise<TestImages> {
  const { baseImage, trainerImage, trainerDigest } = await ensureLocalTrainerImage(docker);
  return { baseImage, trainerImage, trainerDigest };
}

let ensured: Promise<TestImages> | undefined;

/** The images the Docker suites run, built from this checkout's dist/ if they are missing or stale. */
export function ensureTestImages(docker: Dockerode): Promise<TestImages> {
  ensured ??= withLock(() => buildWhereStale(docker));
  return ensured;
}

/** Every image docker-compose.yml runs (trainer, agent, coordinator, and NATS from this machine's nats-server), built where stale. */
export async function ensureComposeImages(docker: Dockerode): Promise<void> {
  await withLock(() => ensureLocalImages(docker, ['trainer', 'agent', 'coordinator', 'nats']));
}
