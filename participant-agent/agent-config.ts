/**
 * The agent's configuration file, written by the organisation: who it is,
 * which requesters it accepts, and where its datasets live. Relative dataset
 * paths are resolved against the config file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../common/errors';
import { parseWithSchema } from '../common/schema-errors';

const identifier = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a lower-case identifier');

export const agentConfigSchema = z.strictObject({
  orgId: identifier,
  /** NATS server URL; absent only when the agent runs inside `shoal simulate` with the in-process bus. */
  nats: z.string().url().optional(),
  /** Until moderation policies exist, the agent accepts offers only from these requesters. Never everything. */
  acceptedRequesters: z.array(identifier).min(1, 'at least one requester'),
  datasets: z.record(identifier, z.strictObject({ path: z.string().min(1) })),
  /** Scratch space for trainer inputs and outputs. */
  workDir: z.string().min(1).default('./shoal-agent-work'),
  trainer: z.strictObject({ timeoutSeconds: z.number().positive().max(86400).default(900) }).default({ timeoutSeconds: 900 }),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;

export function compileAgentConfig(input: unknown, baseDir: string): AgentConfig {
  const config = parseWithSchema(agentConfigSchema, input, 'agent config');
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...config,
    workDir: absolute(config.workDir),
    datasets: Object.fromEntries(Object.entries(config.datasets).map(([name, d]) => [name, { path: absolute(d.path) }])),
  };
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
