/**
 * Builds Shoal's images from a base that has node on PATH (node:20-bookworm-slim,
 * or shoal-node-base made from the host's own node where no registry is
 * reachable): the trainer the Docker sandbox runs, the participant agent, the
 * regulator's CLI with its coordinator and aggregator, and a NATS server made
 * from the host's nats-server binary.
 *
 * CLI: node dist/participant-agent/images/build-images.js
 *        [--image trainer|agent|coordinator|nats|all] [--base-image <ref> | --local-base [--rebuild-base]] [--tag <ref>]
 * prints "<tag> <image id>" on stdout per image. Exit codes: 0 built, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { errorMessage } from '../../common/errors';
import { followProgress, inspectImage, requireEngine } from './engine';
import { ImageBuildError } from './errors';
import { AGENT_CONTEXT, COORDINATOR_CONTEXT, imageContextEntries, planImageContext, type ImageContextPlan } from './image-context';
import { librariesMissingFromLocalBase, natsContextEntries, planNatsContext, type NatsContextPlan } from './nats-context';
import { buildLocalBaseImage, LOCAL_BASE_IMAGE, NODE_VERSION_LABEL } from './node-base-image';
import { planTrainerContext, type TrainerContextPlan } from './trainer-context';
import { ustarStream, type TarEntry } from './ustar-writer';

export { buildLocalBaseImage, LOCAL_BASE_IMAGE };

export const DEFAULT_BASE_IMAGE = 'node:20-bookworm-slim';
export const DEFAULT_TRAINER_IMAGE = 'shoal-trainer:dev';
export const DEFAULT_AGENT_IMAGE = 'shoal-agent:dev';
export const DEFAULT_COORDINATOR_IMAGE = 'shoal-coordinator:dev';
export const DEFAULT_NATS_IMAGE = 'shoal-nats:dev';
/** The Id of the image an image was built FROM. */
export const BASE_IMAGE_LABEL = 'shoal.base-image';

export type ShoalImageKind = 'trainer' | 'agent' | 'coordinator' | 'nats';
export const SHOAL_IMAGE_KINDS: readonly ShoalImageKind[] = ['trainer', 'agent', 'coordinator', 'nats'];
export const DEFAULT_IMAGE_TAGS: Readonly<Record<ShoalImageKind, string>> = {
  trainer: DEFAULT_TRAINER_IMAGE,
  agent: DEFAULT_AGENT_IMAGE,
  coordinator: DEFAULT_COORDINATOR_IMAGE,
  nats: DEFAULT_NATS_IMAGE,
};

export interface NodeImageOptions {
  /** Default node:20-bookworm-slim. */
  baseImage?: string;
  /** Default the kind's tag in DEFAULT_IMAGE_TAGS. */
  tag?: string;
  /** Computed from this checkout when not given. */
  plan?: ImageContextPlan;
  /** Receives the engine's build output line by line. */
  onLine?: (line: string) => void;
}

export type TrainerImageOptions = Omit<NodeImageOptions, 'plan'> & { plan?: TrainerContextPlan };

export interface NatsImageOptions {
  /** Default shoal-node-base:20: only libc is needed. */
  baseImage?: string;
  tag?: string;
  /** Computed by planNatsContext() when not given. */
  plan?: NatsContextPlan;
  onLine?: (line: string) => void;
}

interface StagedBuild {
  tag: string;
  baseImage: string;
  /** The context's files, streamed to the engine as a tar archive. */
  entries: () => TarEntry[];
  buildargs: Record<string, string>;
  labels: Record<string, string>;
  onLine?: (line: string) => void;
  /** Checks the base before the context is sent. */
  checkBase?: (base: Dockerode.ImageInspectInfo) => void;
}

/** Streams the context to the engine, builds it and returns the image's Id (sha256:…). */
async function buildStaged(docker: Dockerode, build: StagedBuild): Promise<string> {
  const { tag, baseImage } = build;
  await requireEngine(docker);
  const base = await inspectImage(docker, baseImage);
  if (!base) {
    const hint = baseImage === LOCAL_BASE_IMAGE ? 'build it from this machine\'s node with --local-base' : `pull it (docker pull ${baseImage}) or build one from this machine's node with --local-base`;
    throw new ImageBuildError('BASE_IMAGE_MISSING', `the base image ${baseImage} is not in the local engine and no registry may be reachable; ${hint}`, { baseImage, tag });
  }
  build.checkBase?.(base);
  const output: string[] = [];
  try {
    const stream = await docker.buildImage(
      ustarStream(build.entries()),
      { t: tag, buildargs: { BASE_IMAGE: baseImage, ...build.buildargs }, labels: { ...build.labels, [BASE_IMAGE_LABEL]: base.Id }, rm: true, forcerm: true },
    );
    await followProgress(docker, stream, (line) => {
      output.push(line);
      build.onLine?.(line);
    });
  } catch (err) {
    if (err instanceof ImageBuildError) throw err;
    const tail = output.slice(-15).map((line) => `  ${line}`).join('\n');
    throw new ImageBuildError('IMAGE_BUILD_FAILED', `building ${tag} from ${baseImage} failed: ${errorMessage(err)}${tail ? `\nlast build output:\n${tail}` : ''}`, { tag, baseImage }, err);
  }
  const image = await inspectImage(docker, tag);
  if (!image) throw new ImageBuildError('IMAGE_BUILD_FAILED', `the build finished but the engine has no image ${tag}`, { tag });
  return image.Id;
}

function buildNodeImage(docker: Dockerode, plan: ImageContextPlan, tag: string, options: NodeImageOptions): Promise<string> {
  return buildStaged(docker, {
    tag,
    baseImage: options.baseImage ?? DEFAULT_BASE_IMAGE,
    entries: () => imageContextEntries(plan),
    buildargs: { SHOAL_VERSION: plan.version },
    labels: { [plan.contextLabel]: plan.hash },
    onLine: options.onLine,
  });
}

/** Builds the trainer image and returns its Id (sha256:…). */
export function buildTrainerImage(docker: Dockerode, options: TrainerImageOptions = {}): Promise<string> {
  return buildNodeImage(docker, options.plan ?? planTrainerContext(), options.tag ?? DEFAULT_TRAINER_IMAGE, options);
}

/** Builds the participant agent image (with the `shoal` CLI) and returns its Id. */
export function buildAgentImage(docker: Dockerode, options: NodeImageOptions = {}): Promise<string> {
  return buildNodeImage(docker, options.plan ?? planImageContext(AGENT_CONTEXT), options.tag ?? DEFAULT_AGENT_IMAGE, options);
}

/** Builds the regulator's image (the `shoal` CLI, coordinator, aggregator) and returns its Id. */
export function buildCoordinatorImage(docker: Dockerode, options: NodeImageOptions = {}): Promise<string> {
  return buildNodeImage(docker, options.plan ?? planImageContext(COORDINATOR_CONTEXT), options.tag ?? DEFAULT_COORDINATOR_IMAGE, options);
}

/**
 * Builds the NATS image from the host's nats-server and returns its Id. On a
 * base imported from this host's node, every library the binary links must be
 * one of node's, or the server could not start; that is checked first.
 */
export function buildNatsImage(docker: Dockerode, options: NatsImageOptions = {}): Promise<string> {
  const plan = options.plan ?? planNatsContext();
  const baseImage = options.baseImage ?? LOCAL_BASE_IMAGE;
  return buildStaged(docker, {
    tag: options.tag ?? DEFAULT_NATS_IMAGE,
    baseImage,
    entries: () => natsContextEntries(plan),
    buildargs: { NATS_VERSION: plan.version },
    labels: { [plan.contextLabel]: plan.hash },
    onLine: options.onLine,
    checkBase: (base) => {
      if (!base.Config?.Labels?.[NODE_VERSION_LABEL]) return;
      const missing = librariesMissingFromLocalBase(plan);
      if (missing.length > 0) {
        throw new ImageBuildError('NATS_BINARY_MISSING', `${plan.binary} needs ${missing.join(', ')}, which ${baseImage} (this machine's node and its libraries) lacks; use --base-image with a base that has them`, { binary: plan.binary, baseImage, missing });
      }
    },
  });
}

const BUILDERS: Record<ShoalImageKind, (docker: Dockerode, options: { baseImage?: string; tag?: string; onLine?: (line: string) => void }) => Promise<string>> = {
  trainer: buildTrainerImage,
  agent: buildAgentImage,
  coordinator: buildCoordinatorImage,
  nats: buildNatsImage,
};

/** Builds one image of the given kind with that kind's defaults for whatever `options` leaves out. */
export function buildShoalImage(docker: Dockerode, kind: ShoalImageKind, options: { baseImage?: string; tag?: string; onLine?: (line: string) => void } = {}): Promise<string> {
  return BUILDERS[kind](docker, options);
}

const USAGE = 'usage: build-images.js [--image trainer|agent|coordinator|nats|all] [--base-image <ref> | --local-base [--rebuild-base]] [--tag <ref>]';

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function main(argv: string[]): Promise<number> {
  let values: { image?: string; 'base-image'?: string; 'local-base'?: boolean; 'rebuild-base'?: boolean; tag?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        image: { type: 'string', default: 'trainer' },
        'base-image': { type: 'string' },
        'local-base': { type: 'boolean' },
        'rebuild-base': { type: 'boolean' },
        tag: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const usage = (message: string): number => {
    process.stderr.write(`${message}\n${USAGE}\n`);
    return 2;
  };
  if (values['local-base'] && values['base-image']) return usage('--local-base and --base-image exclude each other');
  if (values['rebuild-base'] && !values['local-base']) return usage('--rebuild-base needs --local-base');
  const image = values.image ?? 'trainer';
  if (image !== 'all' && !SHOAL_IMAGE_KINDS.includes(image as ShoalImageKind)) return usage(`unknown --image ${image}`);
  const kinds = image === 'all' ? [...SHOAL_IMAGE_KINDS] : [image as ShoalImageKind];
  if (values.tag && kinds.length > 1) return usage('--tag names one image; it cannot be used with --image all');

  const docker = new Dockerode();
  const log = (text: string): void => void process.stderr.write(`${text}\n`);
  try {
    let baseImage = values['base-image'];
    if (values['local-base']) {
      const started = Date.now();
      const current = await inspectImage(docker, LOCAL_BASE_IMAGE);
      if (!values['rebuild-base'] && current?.Config?.Labels?.[NODE_VERSION_LABEL] === process.version) {
        log(`${LOCAL_BASE_IMAGE} ${current.Id} (already made from node ${process.version}; --rebuild-base to import it again)`);
      } else {
        const id = await buildLocalBaseImage(docker, LOCAL_BASE_IMAGE);
        log(`${LOCAL_BASE_IMAGE} ${id} (${seconds(started)})`);
      }
      baseImage = LOCAL_BASE_IMAGE;
    }
    for (const kind of kinds) {
      const started = Date.now();
      const tag = values.tag ?? DEFAULT_IMAGE_TAGS[kind];
      const id = await buildShoalImage(docker, kind, { baseImage, tag, onLine: log });
      log(`built ${tag} from ${baseImage ?? (kind === 'nats' ? LOCAL_BASE_IMAGE : DEFAULT_BASE_IMAGE)} in ${seconds(started)}`);
      process.stdout.write(`${tag} ${id}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`build-images: ${errorMessage(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
