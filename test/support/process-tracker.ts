/** Every child process a suite starts, so afterEach/afterAll can stop them all whatever happened. */
import { spawnNode, type SpawnedProcess, type SpawnOptions } from './spawned-process';

export class ProcessTracker {
  private readonly processes: SpawnedProcess[] = [];

  track<T extends SpawnedProcess>(process: T): T {
    this.processes.push(process);
    return process;
  }

  spawnNode(name: string, script: string, args: string[], options: SpawnOptions = {}): SpawnedProcess {
    return this.track(spawnNode(name, script, args, options));
  }

  async stopAll(): Promise<void> {
    const all = this.processes.splice(0);
    await Promise.allSettled(all.map((p) => p.stop()));
  }
}
