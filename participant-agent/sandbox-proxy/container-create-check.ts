/**
 * The one container the sandbox creates, as a schema: every field it sends
 * (docker-sandbox.ts) and no other. Fields are matched exactly, so a
 * lower-case "privileged" (which the engine's JSON decoder would accept for
 * Privileged) is an unknown field and refused, as are Binds, Devices,
 * PidMode, CapAdd, VolumesFrom and everything else not listed. The seccomp
 * profile must be the sandbox's own (trainer-seccomp.ts), byte for byte. Then what a
 * schema cannot say: the image is an allowed one, the labels are this
 * organisation's, and every mount is inside its own folders. What is
 * forwarded is the checked body, without the name (which goes in the query).
 */
import { z } from 'zod';
import { describeIssues } from '../../common/schema-errors';
import { trainerSeccompOption } from '../sandbox/trainer-seccomp';
import { DockerCallRefused } from './errors';
import { hostPathProblem } from './host-path-check';
import type { ProxyRules } from './proxy-rules';

const CALL = 'container create';
/** Where the sandbox puts the trainer's inputs and outputs (CONTAINER_PATHS); only /out is writable. */
const READ_ONLY_TARGET = /^(\/in|\/data\/[A-Za-z0-9_.-]+)$/;
const WRITABLE_TARGET = '/out';
const TMPFS_OPTION = /^(rw|noexec|nosuid|nodev|size=[0-9]+[kmg]?|nr_inodes=[0-9]+[kmg]?|mode=[0-7]{3,4}|uid=[0-9]+|gid=[0-9]+)$/;
const NO_NEW_PRIVILEGES = ['no-new-privileges', 'no-new-privileges:true'];
const MAX_SHM_BYTES = 64 * 1024 * 1024;
const REQUIRED_TMPFS_OPTIONS = ['noexec', 'nosuid', 'nodev'];

function createBodySchema(rules: ProxyRules) {
  const mount = z.strictObject({ Type: z.literal('bind'), Source: z.string(), Target: z.string(), ReadOnly: z.boolean() });
  const tmpfsOptions = z
    .string()
    .refine((value) => value.split(',').every((option) => TMPFS_OPTION.test(option)) && REQUIRED_TMPFS_OPTIONS.every((option) => value.split(',').includes(option)), { message: `tmpfs options from ${TMPFS_OPTION} including ${REQUIRED_TMPFS_OPTIONS.join(', ')}` });
  const ulimit = z.strictObject({ Name: z.enum(['fsize', 'nofile']), Soft: z.number().int().positive(), Hard: z.number().int().positive() });
  const hostConfig = z.strictObject({
    NetworkMode: z.literal('none'),
    ReadonlyRootfs: z.literal(true),
    Mounts: z.array(mount).min(1).max(8),
    Tmpfs: z.strictObject({ '/tmp': tmpfsOptions }).optional(),
    CapDrop: z.tuple([z.literal('ALL')]),
    // No new privileges and the sandbox's own seccomp profile, both required: never seccomp=unconfined, apparmor=unconfined or label=disable.
    SecurityOpt: z
      .array(z.string())
      .refine((options) => options.length === 2 && options.some((option) => NO_NEW_PRIVILEGES.includes(option)) && options.includes(trainerSeccompOption()), { message: "no-new-privileges and the sandbox's own seccomp profile, nothing else" }),
    IpcMode: z.literal('private').optional(),
    ShmSize: z.number().int().positive().max(MAX_SHM_BYTES).optional(),
    Privileged: z.literal(false),
    PidsLimit: z.number().int().positive().max(rules.maxPids),
    Memory: z.number().int().positive().max(rules.maxMemoryBytes),
    MemorySwap: z.number().int().positive().max(rules.maxMemoryBytes),
    NanoCpus: z.number().int().positive().max(rules.maxNanoCpus),
    Ulimits: z.array(ulimit).max(2),
    LogConfig: z.strictObject({ Type: z.literal('json-file'), Config: z.strictObject({ 'max-size': z.string().regex(/^[0-9]+[kmg]?$/), 'max-file': z.string().regex(/^[0-9]+$/) }) }),
    Init: z.boolean().optional(),
    AutoRemove: z.boolean().optional(),
    RestartPolicy: z.strictObject({ Name: z.literal('no') }).optional(),
  });
  return z.strictObject({
    // dockerode sends the name in the body too; the engine reads it only from the query.
    name: z.string().optional(),
    Image: z.string(),
    Entrypoint: z.array(z.string()).optional(),
    Cmd: z.array(z.string()).optional(),
    User: z.literal(rules.trainerUser),
    WorkingDir: z.string().optional(),
    // Only Shoal's own settings (the tfjs backend): nothing that changes how the engine or the loader behaves.
    Env: z.array(z.string().regex(/^SHOAL_[A-Z0-9_]*=/)).optional(),
    Labels: z.record(z.string().regex(/^shoal\.[a-z0-9._-]+$/), z.string()),
    NetworkDisabled: z.literal(true),
    AttachStdin: z.literal(false).optional(),
    AttachStdout: z.boolean().optional(),
    AttachStderr: z.boolean().optional(),
    Tty: z.literal(false).optional(),
    OpenStdin: z.literal(false).optional(),
    HostConfig: hostConfig,
  });
}

export type ContainerCreateBody = Omit<z.output<ReturnType<typeof createBodySchema>>, 'name'>;

/**
 * Checks a create request's query name and body. `allowedImageIds` holds the
 * current ids of the allowed images; the body may name one of them or an
 * allowed reference. Returns the body to forward.
 */
export function checkContainerCreate(name: string | undefined, body: unknown, rules: ProxyRules, allowedImageIds: ReadonlySet<string>): ContainerCreateBody {
  if (name !== undefined && !/^shoal-[A-Za-z0-9_.-]{1,200}$/.test(name)) throw new DockerCallRefused(CALL, `the container name ${JSON.stringify(name.slice(0, 80))} is not a sandbox name`);
  const schema = createBodySchema(rules);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problems = describeIssues(schema, body, parsed.error.issues);
    const first = problems[0];
    throw new DockerCallRefused(CALL, `${first.path}: expected ${first.expected}; found ${first.found}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, { problems });
  }
  const { name: nameInBody, ...created } = parsed.data;
  if (nameInBody !== undefined && nameInBody !== name) throw new DockerCallRefused(CALL, 'the name in the body differs from the name in the query');
  if (!allowedImageIds.has(created.Image) && !rules.allowedImages.includes(created.Image)) {
    throw new DockerCallRefused(CALL, `the image ${JSON.stringify(created.Image.slice(0, 80))} is not one this organisation allows (${rules.allowedImages.join(', ')})`);
  }
  if (created.Labels['shoal.agent'] !== rules.agentId || created.Labels['shoal.managed'] !== 'true') {
    throw new DockerCallRefused(CALL, `the container must carry the labels shoal.managed=true and shoal.agent=${rules.agentId}; found shoal.agent=${JSON.stringify(created.Labels['shoal.agent'] ?? null)}`);
  }
  const { HostConfig: host } = created;
  if (host.MemorySwap !== host.Memory) throw new DockerCallRefused(CALL, `HostConfig.MemorySwap must equal HostConfig.Memory (no swap); found ${host.MemorySwap} and ${host.Memory}`);
  checkMounts(host.Mounts, rules, CALL);
  return created;
}

/** Every mount inside the organisation's folders; only /out writable; no target twice. */
export function checkMounts(mounts: readonly { Source: string; Target: string; ReadOnly: boolean }[], rules: ProxyRules, call: string): void {
  const targets = new Set<string>();
  for (const [i, mount] of mounts.entries()) {
    const writable = mount.Target === WRITABLE_TARGET;
    if (!writable && !READ_ONLY_TARGET.test(mount.Target)) throw new DockerCallRefused(call, `HostConfig.Mounts[${i}].Target: expected /in, /out or /data/<name>; found ${JSON.stringify(mount.Target.slice(0, 80))}`);
    if (!writable && !mount.ReadOnly) throw new DockerCallRefused(call, `HostConfig.Mounts[${i}]: ${mount.Target} must be read-only`);
    if (targets.has(mount.Target)) throw new DockerCallRefused(call, `HostConfig.Mounts[${i}]: ${mount.Target} is mounted twice`);
    targets.add(mount.Target);
    const problem = hostPathProblem(mount.Source, rules.allowedPaths);
    if (problem !== null) throw new DockerCallRefused(call, `HostConfig.Mounts[${i}].Source: ${problem}`);
  }
}
