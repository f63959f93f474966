/**
 * Builds the images the Docker sandbox runs: the trainer image from a base
 * that has node on PATH (node:20-bookworm-slim, or shoal-node-base made from
 * the host's own node where no registry is reachable).
 *
 * CLI: node dist/participant-agent/images/build-images.js
 *        [--base-image <ref> | --local-base] [--tag <ref>]
 * prints "<tag> <image id>" on stdout. Exit codes: 0 built, 1 failed, 2 usage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { errorMessage } from '../../common/errors';
import { followProgress, inspectImage, requireEngine } from './engine';
import { ImageBuildError } from './errors';
import { buildLocalBaseImage, LOCAL_BASE_IMAGE } from './node-base-image';
import { CONTEXT_LABEL, planTrainerContext, stageTrainerContext, type TrainerContextPlan } from './trainer-context';

export { buildLocalBaseImage, LOCAL_BASE_IMAGE };

export const DEFAULT_BASE_IMAGE = 'node:20-bookworm-slim';
export const DEFAULT_TRAINER_IMAGE = 'shoal-trainer:dev';
/** The Id of the image the trainer image was built FROM. */
export const BASE_IMAGE_LABEL = 'shoal.base-image';

export interface TrainerImageOptions {
  baseImage?: string;
  tag?: string;
  /** Computed by planTrainerContext() when not given. */
  plan?: TrainerContextPlan;
  /** Receives the engine's build output line by line. */
  onLine?: (line: string) => void;
}

/** Builds the trainer image and returns its Id (sha256:…). */
export async function buildTrainerImage(docker: Dockerode, options: TrainerImageOptions = {}): Promise<string> {
  const baseImage = options.baseImage ?? DEFAULT_BASE_IMAGE;
  const tag = options.tag ?? DEFAULT_TRAINER_IMAGE;
  await requireEngine(docker);
  const base = await inspectImage(docker, baseImage);
  if (!base) {
    throw new ImageBuildError(
      'BASE_IMAGE_MISSING',
      `the base image ${baseImage} is not in the local engine and no registry may be reachable; pull it (docker pull ${baseImage}) or build one from this machine's node with --local-base`,
      { baseImage },
    );
  }
  const plan = options.plan ?? planTrainerContext();
  const context = mkdtempSync(join(tmpdir(), 'shoal-trainer-context-'));
  const output: string[] = [];
  try {
    stageTrainerContext(plan, context);
    const stream = await docker.buildImage(
      { context, src: ['Dockerfile', 'package.json', 'dist', 'node_modules'] },
      {
        t: tag,
        buildargs: { BASE_IMAGE: baseImage, SHOAL_VERSION: plan.version },
        labels: { [CONTEXT_LABEL]: plan.hash, [BASE_IMAGE_LABEL]: base.Id },
        rm: true,
        forcerm: true,
      },
    );
    await followProgress(docker, stream, (line) => {
      output.push(line);
      options.onLine?.(line);
    });
  } catch (err) {
    if (err instanceof ImageBuildError) throw err;
    const tail = output.slice(-15).map((line) => `  ${line}`).join('\n');
    throw new ImageBuildError('IMAGE_BUILD_FAILED', `building ${tag} from ${baseImage} failed: ${errorMessage(err)}${tail ? `\nlast build output:\n${tail}` : ''}`, { tag, baseImage }, err);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const image = await inspectImage(docker, tag);
  if (!image) throw new ImageBuildError('IMAGE_BUILD_FAILED', `the build finished but the engine has no image ${tag}`, { tag });
  return image.Id;
}

const USAGE = 'usage: build-images.js [--base-image <ref> | --local-base] [--tag <ref>]';

async function main(argv: string[]): Promise<number> {
  let values: { 'base-image'?: string; 'local-base'?: boolean; tag?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'base-image': { type: 'string' }, 'local-base': { type: 'boolean' }, tag: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values['local-base'] && values['base-image']) {
    process.stderr.write(`--local-base and --base-image exclude each other\n${USAGE}\n`);
    return 2;
  }
  const docker = new Dockerode();
  const log = (text: string): void => void process.stderr.write(`${text}\n`);
  try {
    let baseImage = values['base-image'] ?? DEFAULT_BASE_IMAGE;
    if (values['local-base']) {
      const started = Date.now();
      const id = await buildLocalBaseImage(docker, LOCAL_BASE_IMAGE);
      log(`${LOCAL_BASE_IMAGE} ${id} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      baseImage = LOCAL_BASE_IMAGE;
    }
    const started = Date.now();
    const tag = values.tag ?? DEFAULT_TRAINER_IMAGE;
    const id = await buildTrainerImage(docker, { baseImage, tag, onLine: log });
    log(`built ${tag} from ${baseImage} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(`${tag} ${id}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`build-images: ${errorMessage(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
