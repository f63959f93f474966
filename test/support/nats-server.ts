/** A real nats-server on a free loopback port, for one test file. */
import { connect } from 'node:net';
import { freePort } from './free-port';
import { SpawnedProcess } from './spawned-process';

export const NATS_SERVER_BINARY = process.env.SHOAL_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface NatsServer {
  url: string;
  port: number;
  process: SpawnedProcess;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startNatsServer(timeoutMs = 10_000): Promise<NatsServer> {
  const port = await freePort();
  const server = new SpawnedProcess('nats-server', NATS_SERVER_BINARY, ['-a', '127.0.0.1', '-p', String(port)]);
  const until = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (!server.running) throw new Error(`nats-server exited before accepting connections:\n${server.stderr}`);
    if (Date.now() > until) {
      await server.stop();
      throw new Error(`nats-server did not accept connections on port ${port} within ${timeoutMs} ms:\n${server.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, port, process: server, stop: () => server.stop() };
}
