/**
 * The agent's configuration file, written by the organisation: who it is,
 * where its datasets live, which moderation policy decides on offers, and
 * where its audit log and privacy ledger are kept. Relative paths are
 * resolved against the config file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../common/errors';
import { ID_PATTERN, ID_PATTERN_TEXT } from '../common/ids';
import { parseWithSchema, problemsError } from '../common/schema-errors';
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from '../common/pki';
import { sha256Hex } from '../common/signing';
import { consoleSettingsSchema, isLoopback } from '../console';
import { loadPolicy, type ModerationPolicy } from './policy';

const identifier = z.string().regex(ID_PATTERN, ID_PATTERN_TEXT);

const SANDBOX_DEFAULTS = {
  type: 'auto' as const,
  // Isolation is never lost silently: training outside a container is the organisation's explicit choice.
  allowProcessSandbox: false,
  image: 'shoal-trainer:dev',
  limits: { memoryMiB: 2048, cpus: 1, pids: 256, outputMiB: 256, outputEntries: 256 },
};

/** Where training runs: a hardened Docker container, or (weaker) a child process. */
const sandboxSchema = z.strictObject({
  /** auto: Docker when an engine answers and the trainer image exists, else the process sandbox (only if allowed). */
  type: z.enum(['auto', 'docker', 'process']).default('auto'),
  /** true: the agent may train outside a container (logged and audited as sandbox.weakened); false (default): it refuses to start without Docker. */
  allowProcessSandbox: z.boolean().default(SANDBOX_DEFAULTS.allowProcessSandbox),
  /** The trainer image (built by `npm run build:images`). */
  image: z.string().min(1).default(SANDBOX_DEFAULTS.image),
  /** The trainer image's id, to run exactly that image; absent: the id `image` names when the agent starts. */
  imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'an image id, sha256: and 64 hex digits').optional(),
  /** Caps for every training container. */
  limits: z.strictObject({
    memoryMiB: z.number().int().min(64).max(1024 * 1024).default(2048),
    cpus: z.number().positive().max(256).default(1),
    pids: z.number().int().min(8).max(65536).default(256),
    outputMiB: z.number().int().min(1).max(1024 * 1024).default(256),
    /** Files, folders and links the trainer may leave in /out, at every depth. */
    outputEntries: z.number().int().min(4).max(1_000_000).default(SANDBOX_DEFAULTS.limits.outputEntries),
  }).default(SANDBOX_DEFAULTS.limits),
});

export const agentConfigSchema = z.strictObject({
  orgId: identifier,
  /** NATS server URL; absent only when the agent runs inside `shoal simulate` with the in-process bus. */
  nats: z.string().url().optional(),
  /** The moderation policy (YAML): which requesters, data, models and privacy settings this organisation accepts. */
  policy: z.string().min(1),
  /** Mutual TLS: the federation CA, this organisation's participant certificate and key (from `shoal pki issue`), and the revocation list. */
  tls: z.strictObject({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1), crl: z.string().min(1).optional() }),
  datasets: z.record(identifier, z.strictObject({ path: z.string().min(1) })),
  /** The agent's records (identity key, audit head, moderation queue) and, under runs/, trainer inputs and outputs. */
  workDir: z.string().min(1).default('./shoal-agent-work'),
  /** The tamper-evident audit log (JSON Lines); default <workDir>/audit.jsonl. */
  auditLog: z.string().min(1).optional(),
  /** ε spent per dataset by every job; default <workDir>/privacy-ledger.json. */
  privacyLedger: z.string().min(1).optional(),
  trainer: z.strictObject({ timeoutSeconds: z.number().positive().max(86400).default(900) }).default({ timeoutSeconds: 900 }),
  sandbox: sandboxSchema.default(SANDBOX_DEFAULTS),
  /** The organisation console (web): where it listens (loopback by default) and who may log in. Absent: no console. */
  console: consoleSettingsSchema.optional(),
});

export type AgentConfig = Omit<z.output<typeof agentConfigSchema>, 'policy' | 'auditLog' | 'privacyLedger' | 'tls'> & {
  /** Resolved paths; the agent loads and checks them when it starts (participantTls). */
  tls: TlsFiles;
  /** The policy file's path, as resolved, and the hash of what was loaded from it (for the audit log). */
  policyFile: string;
  policySha256: string;
  policy: ModerationPolicy;
  auditLog: string;
  privacyLedger: string;
};

export function compileAgentConfig(input: unknown, baseDir: string): AgentConfig {
  const config = parseWithSchema(agentConfigSchema, input, 'agent config');
  if (config.sandbox.type === 'process' && !config.sandbox.allowProcessSandbox) {
    throw problemsError('agent config', [{ path: 'sandbox.type', expected: 'docker or auto, since sandbox.allowProcessSandbox is false (set it to true to train outside a container)', found: '"process"' }]);
  }
  if (config.console && !config.console.tls && !isLoopback(config.console.host)) {
    throw problemsError('agent config', [{ path: 'console.tls', expected: `a certificate and key, since console.host ${config.console.host} is not loopback (passwords must not cross the network in the clear)`, found: 'nothing' }]);
  }
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const workDir = absolute(config.workDir);
  const policyFile = absolute(config.policy);
  return {
    ...config,
    workDir,
    policyFile,
    // Hashed before loading: an edit after this point is a different policy, and a restart records it.
    policySha256: hashFile(policyFile),
    policy: loadPolicy(policyFile),
    auditLog: absolute(config.auditLog ?? join(workDir, 'audit.jsonl')),
    privacyLedger: absolute(config.privacyLedger ?? join(workDir, 'privacy-ledger.json')),
    datasets: Object.fromEntries(Object.entries(config.datasets).map(([name, d]) => [name, { path: absolute(d.path) }])),
    tls: { ca: absolute(config.tls.ca), cert: absolute(config.tls.cert), key: absolute(config.tls.key), crl: config.tls.crl && absolute(config.tls.crl) },
    console: config.console && {
      ...config.console,
      users: absolute(config.console.users),
      tls: config.console.tls && { cert: absolute(config.console.tls.cert), key: absolute(config.console.tls.key) },
    },
  };
}

/** The organisation's TLS material, checked to be a participant certificate naming it. */
export function participantTls(orgId: string, files: TlsFiles): TlsMaterial {
  const material = loadTlsMaterial(files);
  const { identity } = material;
  if (identity.role !== 'participant' || identity.orgId !== orgId) {
    throw problemsError('agent config', [{ path: 'tls.cert', expected: `a participant certificate for ${orgId}`, found: `the certificate of ${identity.role} ${identity.orgId}` }]);
  }
  return material;
}

function hashFile(path: string): string {
  try {
    return sha256Hex(readFileSync(path));
  } catch (err) {
    throw new ConfigError(`cannot read the policy file ${path}: ${errorMessage(err)}`, { path });
  }
}

export function loadAgentConfig(path: string): AgentConfig {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read agent config ${path}: ${errorMessage(err)}`, { path }, err);
  }
  return compileAgentConfig(document, dirname(resolve(path)));
}
