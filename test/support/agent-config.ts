/** Writes a participant agent's config file, as an organisation would. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface TestAgentConfig {
  orgId: string;
  natsUrl: string;
  /** Dataset name → CSV path (which need not exist, to test that case). */
  datasets: Record<string, string>;
  acceptedRequesters: string[];
  /** The config's sandbox section, when a test needs one. */
  sandbox?: Record<string, unknown>;
}

export function writeAgentConfig(dir: string, config: TestAgentConfig): string {
  const agentDir = join(dir, 'agents', config.orgId);
  mkdirSync(agentDir, { recursive: true });
  const document = {
    orgId: config.orgId,
    nats: config.natsUrl,
    acceptedRequesters: config.acceptedRequesters,
    datasets: Object.fromEntries(Object.entries(config.datasets).map(([name, path]) => [name, { path }])),
    workDir: join(agentDir, 'work'),
    trainer: { timeoutSeconds: 300 },
    ...(config.sandbox ? { sandbox: config.sandbox } : {}),
  };
  const path = join(agentDir, 'agent.yaml');
  writeFileSync(path, stringify(document));
  return path;
}
