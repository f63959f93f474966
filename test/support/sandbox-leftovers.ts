/**
 * What a sandbox run may have left behind after wait() resolved: containers
 * labelled with the test's agent id, or live processes whose command line
 * names the run's folders. Both come back as short descriptions, so a
 * failing assertion says what was found.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';

/** Every container, running or not, that carries `shoal.agent=<agentId>`. */
export async function containersOfAgent(docker: Dockerode, agentId: string): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [`shoal.agent=${agentId}`] } });
  return found.map((info) => `${info.Names.join(',')} (${info.State})`);
}

/** Live processes other than this one whose command line contains `text` (Linux /proc; [] elsewhere). */
export function processesMentioning(text: string): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // The process ended while we looked.
    }
    if (commandLine.includes(text)) found.push(`${entry}: ${commandLine.slice(0, 200)}`);
  }
  return found;
}
