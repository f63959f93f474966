/**
 * A real nats-server on a free loopback port, for one test file, as a
 * federation runs it: TLS with the test's CA, every client authenticated by
 * its certificate and allowed only its own subjects.
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { natsServerConfig } from '../../common/bus/nats-permissions';
import { issueToDir } from '../../common/pki';
import { freePort } from './free-port';
import { SpawnedProcess } from './spawned-process';
import { OBSERVER_ORG, type TestPki } from './test-pki';

export const NATS_SERVER_BINARY = process.env.SHOAL_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface NatsServer {
  url: string;
  port: number;
  process: SpawnedProcess;
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port and config after `downMs` (a broker restart). */
  restart(downMs: number): Promise<void>;
}

/** Whether something accepts TCP connections on a loopback port (the benchmarks' NATS uses it too). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `reachableFromContainers`: listens on every interface, and the server's
 * certificate also names host.docker.internal, so a container on this host
 * (the Docker launcher's coordinator) can reach it.
 */
export async function startNatsServer(pki: TestPki, options: { reachableFromContainers?: boolean; timeoutMs?: number } = {}): Promise<NatsServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const port = await freePort();
  const dnsNames = options.reachableFromContainers ? ['localhost', 'host.docker.internal'] : ['localhost'];
  const broker = await issueToDir(pki.dir, { orgId: `nats-${port}`, role: 'broker', dnsNames, ipAddresses: ['127.0.0.1'] });
  const configPath = join(pki.dir, `nats-${port}.conf`);
  writeFileSync(configPath, natsServerConfig({
    host: options.reachableFromContainers ? '0.0.0.0' : '127.0.0.1',
    port,
    tls: { ca: pki.regulator.ca, cert: broker.certPath, key: broker.keyPath },
    parties: [...pki.orgIds.map((orgId) => ({ orgId, role: 'participant' as const })), { orgId: 'regulator', role: 'regulator' }],
    observers: [{ orgId: OBSERVER_ORG, role: 'regulator' }],
  }));
  const handle: NatsServer = {
    url: `tls://127.0.0.1:${port}`,
    port,
    process: await runUntilAccepting(configPath, port, timeoutMs),
    stop: () => handle.process.stop(),
    restart: async (downMs) => {
      await handle.process.stop();
      await new Promise((r) => setTimeout(r, downMs));
      handle.process = await runUntilAccepting(configPath, port, timeoutMs);
    },
  };
  return handle;
}

async function runUntilAccepting(configPath: string, port: number, timeoutMs: number): Promise<SpawnedProcess> {
  const server = new SpawnedProcess('nats-server', NATS_SERVER_BINARY, ['-c', configPath]);
  const until = Date.now() + timeoutMs;
  while (!(await acceptsConnections(port))) {
    if (!server.running) throw new Error(`nats-server exited before accepting connections:\n${server.stderr}`);
    if (Date.now() > until) {
      await server.stop();
      throw new Error(`nats-server did not accept connections on port ${port} within ${timeoutMs} ms:\n${server.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}
