/**
 * What one organisation's sandbox proxy lets through to the host's Docker
 * engine: the settings it is started with, checked once and filled in, so
 * the decision code never meets an undefined setting.
 */
import { isAbsolute, normalize } from 'node:path';
import { ConfigError } from '../../common/errors';
import { ID_PATTERN, ID_PATTERN_TEXT } from '../../common/ids';

export interface ProxyRulesOptions {
  /** The organisation's agent id: every container it may create or touch carries the label shoal.agent=<agentId>. */
  agentId: string;
  /** Host folders a training container may bind (the organisation's own data and work folders); nothing outside them. */
  allowedPaths: string[];
  /** Image references (or image ids "sha256:…") a training container may run. */
  allowedImages: string[];
  /** The user the trainer runs as; the sandbox always uses 65534:65534. */
  trainerUser?: string;
  maxMemoryBytes?: number;
  maxNanoCpus?: number;
  maxPids?: number;
}

export interface ProxyRules {
  agentId: string;
  allowedPaths: string[];
  allowedImages: string[];
  trainerUser: string;
  maxMemoryBytes: number;
  maxNanoCpus: number;
  maxPids: number;
}

const MIB = 1024 * 1024;
export const PROXY_RULE_DEFAULTS = { trainerUser: '65534:65534', maxMemoryBytes: 16 * 1024 * MIB, maxNanoCpus: 16e9, maxPids: 4096 } as const;
const NON_ROOT_USER = /^[1-9][0-9]*:[1-9][0-9]*$/;

export function compileProxyRules(options: ProxyRulesOptions): ProxyRules {
  if (!ID_PATTERN.test(options.agentId)) throw new ConfigError(`--agent: expected ${ID_PATTERN_TEXT}; found ${JSON.stringify(options.agentId)}`);
  if (options.allowedPaths.length === 0) throw new ConfigError('--allow-path: expected at least one host folder');
  const allowedPaths = options.allowedPaths.map((path) => {
    // The root would allow every host path; a relative path means nothing to the engine.
    if (!isAbsolute(path) || normalize(path) === '/') throw new ConfigError(`--allow-path: expected an absolute folder other than /; found ${JSON.stringify(path)}`);
    return normalize(path).replace(/\/+$/, '');
  });
  if (options.allowedImages.length === 0) throw new ConfigError('--image: expected at least one trainer image');
  const trainerUser = options.trainerUser ?? PROXY_RULE_DEFAULTS.trainerUser;
  if (!NON_ROOT_USER.test(trainerUser)) throw new ConfigError(`--trainer-user: expected a numeric non-root uid:gid; found ${JSON.stringify(trainerUser)}`);
  const positive = (flag: string, value: number | undefined, fallback: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isFinite(chosen) || chosen <= 0) throw new ConfigError(`${flag}: expected a positive number; found ${value}`);
    return chosen;
  };
  return {
    agentId: options.agentId,
    allowedPaths,
    allowedImages: [...options.allowedImages],
    trainerUser,
    maxMemoryBytes: positive('--max-memory-mib', options.maxMemoryBytes, PROXY_RULE_DEFAULTS.maxMemoryBytes),
    maxNanoCpus: positive('--max-cpus', options.maxNanoCpus, PROXY_RULE_DEFAULTS.maxNanoCpus),
    maxPids: positive('--max-pids', options.maxPids, PROXY_RULE_DEFAULTS.maxPids),
  };
}
