/** Writes a participant agent's config file and its moderation policy, as an organisation would. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expandColumns } from '../../common/job-spec';
import type { TlsFiles } from '../../common/pki';

export interface TestAgentConfig {
  orgId: string;
  natsUrl: string;
  /** Dataset name → CSV path (which need not exist, to test that case). */
  datasets: Record<string, string>;
  /** The moderation policy document (see creditDefaultPolicy). */
  policy: Record<string, unknown>;
  /** The organisation's certificate files (see test-pki.ts). */
  tls: TlsFiles;
  /**
   * The config's sandbox section, when a test needs one. Without one, and
   * for type: process, the config opts in to the process sandbox explicitly
   * (the agent's own default refuses to train without Docker); a section
   * that names allowProcessSandbox is written as it is.
   */
  sandbox?: Record<string, unknown>;
  /** The config's console section (the organisation console), when a test needs one. */
  console?: Record<string, unknown>;
}

export interface TestPolicyOptions {
  /** The regulator's public key line, from writeRegulatorKey. */
  regulatorKey: string;
  requester?: string;
  approval?: 'auto' | 'ask';
  /** Sections replaced wholesale (output, privacy, …). */
  overrides?: Record<string, unknown>;
}

/** A policy that accepts the credit-default example job from the regulator, and shares its reasons. */
export function creditDefaultPolicy(options: TestPolicyOptions): Record<string, unknown> {
  return {
    requesters: {
      [options.requester ?? 'regulator']: {
        publicKey: options.regulatorKey,
        approval: options.approval ?? 'auto',
        datasets: { 'credit-default': { columns: [...expandColumns(['X1..X23']), 'Y'] } },
      },
    },
    shareDecisionReasons: true,
    models: { allowedLayers: ['Dense', 'Dropout'], maxParameters: 100_000, maxRounds: 100, maxLocalEpochs: 10 },
    privacy: { requireSecureAggregation: false, minParticipantsPerRound: 2 },
    ...options.overrides,
  };
}

/** The sandbox section as written: most suites rely on the process sandbox where Docker is missing, and say so. */
function sandboxSection(sandbox: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!sandbox) return { type: 'auto', allowProcessSandbox: true };
  if ('allowProcessSandbox' in sandbox || sandbox.type !== 'process') return sandbox;
  return { ...sandbox, allowProcessSandbox: true };
}

export function writeAgentConfig(dir: string, config: TestAgentConfig): string {
  const agentDir = join(dir, 'agents', config.orgId);
  mkdirSync(agentDir, { recursive: true });
  writeFileSync(join(agentDir, 'policy.yaml'), stringify(config.policy));
  const document = {
    orgId: config.orgId,
    nats: config.natsUrl,
    policy: 'policy.yaml',
    datasets: Object.fromEntries(Object.entries(config.datasets).map(([name, path]) => [name, { path }])),
    workDir: join(agentDir, 'work'),
    trainer: { timeoutSeconds: 300 },
    tls: config.tls,
    sandbox: sandboxSection(config.sandbox),
    ...(config.console ? { console: config.console } : {}),
  };
  const path = join(agentDir, 'agent.yaml');
  writeFileSync(path, stringify(document));
  return path;
}
