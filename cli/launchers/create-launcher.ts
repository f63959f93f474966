import type { Launcher } from './launcher';
import { ProcessLauncher } from './process-launcher';

/** The launcher `shoal job submit --launcher` names; Docker's is loaded only when asked for. */
export async function createLauncher(kind: 'process' | 'docker'): Promise<Launcher> {
  if (kind === 'process') return new ProcessLauncher();
  const { DockerLauncher } = await import('./docker-launcher');
  return DockerLauncher.connect();
}
