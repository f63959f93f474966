/**
 * One organisation's door to the host's Docker engine. It listens on a unix
 * socket that only that organisation's agent can reach and forwards to the
 * engine only the calls its Docker sandbox makes, with the sandbox's fixed
 * settings: containers it creates must match container-create-check.ts,
 * and every call naming a container is let through only for containers that
 * carry this organisation's label, under the container's full id. Anything
 * else gets 403 with the reason, and never reaches the engine. Access to the
 * engine's socket is root on the host; access to this one is not.
 */
import { chmodSync, chownSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ConfigError, errorMessage, hasCode } from '../../common/errors';
import { silentLogger } from '../../common/logger';
import { checkContainerCreate, checkMounts } from './container-create-check';
import { classifyDockerCall, forwardPath, type DockerCall } from './docker-call';
import { DockerCallRefused } from './errors';
import type { ProxyRules } from './proxy-rules';

export interface SandboxProxyOptions {
  /** The unix socket the agent's Docker client connects to (its DOCKER_HOST). */
  listen: string;
  /** The engine's socket. */
  upstream: string;
  rules: ProxyRules;
  /** Who may connect: the socket is made theirs, mode 0600. Without it, the proxy's own user. */
  socketOwner?: { uid: number; gid: number };
  logger?: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** Container ids as the engine reports them. */
const FULL_ID = /^[0-9a-f]{64}$/;

interface UpstreamAnswer {
  status: number;
  body: string;
}

interface ContainerInfo {
  Id: string;
  Config?: { Labels?: Record<string, string> | null };
  HostConfig?: { Mounts?: { Source: string; Target: string; ReadOnly?: boolean }[] | null; Binds?: string[] | null; Privileged?: boolean };
}

/** An answer the engine gave that is passed back as it is (e.g. 404 for a container that is gone). */
class UpstreamStatus extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`the engine answered ${status}`);
  }
}

export class SandboxProxy {
  private constructor(
    private readonly server: Server,
    private readonly options: SandboxProxyOptions,
  ) {}

  static async start(options: SandboxProxyOptions): Promise<SandboxProxy> {
    const logger = options.logger ?? silentLogger();
    if (existsSync(options.listen)) {
      // A socket left by an earlier run may go; anything else at that path is someone's file.
      if (!lstatSync(options.listen).isSocket()) throw new ConfigError(`--listen: ${options.listen} exists and is not a socket`);
      unlinkSync(options.listen);
    }
    const server = createServer();
    const proxy = new SandboxProxy(server, { ...options, logger });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void proxy.handle(req, res));
    // Attach and exec need a hijacked connection; the sandbox never asks for one.
    const hangUp = (req: IncomingMessage, socket: Duplex): void => {
      logger.warn({ call: `${req.method} ${req.url?.slice(0, 120)}` }, 'refused a connection upgrade');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    };
    server.on('upgrade', hangUp);
    server.on('connect', hangUp);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listen, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(options.listen, 0o600);
    if (options.socketOwner) chownSync(options.listen, options.socketOwner.uid, options.socketOwner.gid);
    return proxy;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private get rules(): ProxyRules {
    return this.options.rules;
  }

  private get logger(): Logger {
    return this.options.logger as Logger;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    try {
      const call = classifyDockerCall(method, url);
      switch (call.kind) {
        case 'ping':
        case 'version':
          return this.forward(req, res, method, forwardPath(call));
        case 'image-inspect':
          await this.checkImage(call.image);
          return this.forward(req, res, method, forwardPath(call));
        case 'container-list':
          call.query.filters = this.ownListFilters(call);
          return this.forward(req, res, method, forwardPath(call));
        case 'events':
          call.query.filters = await this.ownEventFilters(call);
          return this.forward(req, res, method, forwardPath(call));
        case 'container-create': {
          const body = await readJsonBody(req);
          const checked = checkContainerCreate(call.query.name, body, this.rules, await this.allowedImageIds());
          return this.forward(req, res, method, forwardPath(call), JSON.stringify(checked));
        }
        case 'container': {
          const info = await this.ownContainer(call.container, `${call.action} of a container`);
          // The folders may have changed since the create: look again just before the engine mounts them.
          if (call.action === 'start') checkMounts((info.HostConfig?.Mounts ?? []).map((m) => ({ ...m, ReadOnly: m.ReadOnly === true })), this.rules, 'container start');
          return this.forward(req, res, method, forwardPath(call, info.Id));
        }
      }
    } catch (err) {
      if (err instanceof UpstreamStatus) return answer(res, err.status, err.body);
      if (hasCode(err, 'DOCKER_CALL_REFUSED')) {
        const refused = err as DockerCallRefused;
        this.logger.warn({ call: `${method} ${url.slice(0, 120)}`, reason: refused.message }, 'refused a Docker call');
        return answer(res, 403, JSON.stringify({ message: refused.message, code: refused.code }));
      }
      this.logger.error({ call: `${method} ${url.slice(0, 120)}`, err: errorMessage(err) }, 'could not handle a Docker call');
      return answer(res, 502, JSON.stringify({ message: `the sandbox proxy could not reach the engine: ${errorMessage(err)}`, code: 'DOCKER_PROXY_FAILED' }));
    }
  }

  /** The current ids of the allowed images (a tag can move; the id the engine resolves it to now is what may run). */
  private async allowedImageIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const image of this.rules.allowedImages) {
      if (image.startsWith('sha256:')) {
        ids.add(image);
        continue;
      }
      const found = await this.upstream('GET', `/images/${image}/json`);
      if (found.status === 200) ids.add((JSON.parse(found.body) as { Id: string }).Id);
    }
    return ids;
  }

  private async checkImage(image: string): Promise<void> {
    if (this.rules.allowedImages.includes(image) || (await this.allowedImageIds()).has(image)) return;
    throw new DockerCallRefused('image inspect', `the image ${JSON.stringify(image)} is not one this organisation allows (${this.rules.allowedImages.join(', ')})`);
  }

  /** Listing is only of this organisation's containers: the label filter must be there (filters are ANDed). Forwarded as checked. */
  private ownListFilters(call: DockerCall): string {
    const filters = parseFilters('container list', call.query.filters, ['label', 'status']);
    if (!filters.label?.includes(`shoal.agent=${this.rules.agentId}`)) throw new DockerCallRefused('container list', `the list must be filtered to label shoal.agent=${this.rules.agentId}`);
    return JSON.stringify(filters);
  }

  /** Events only of this organisation's containers, named by full id. */
  private async ownEventFilters(call: DockerCall): Promise<string> {
    const filters = parseFilters('events', call.query.filters, ['container', 'event', 'type']);
    if (!filters.container || filters.container.length === 0) throw new DockerCallRefused('events', 'events must be filtered to this organisation’s containers');
    if (filters.type && filters.type.some((type) => type !== 'container')) throw new DockerCallRefused('events', 'only container events may be asked for');
    const ids: string[] = [];
    for (const container of filters.container) ids.push((await this.ownContainer(container, 'events of a container')).Id);
    return JSON.stringify({ ...filters, container: ids });
  }

  /** The container, if it carries this organisation's label; else a refusal. */
  private async ownContainer(ref: string, call: string): Promise<ContainerInfo> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(ref)) throw new DockerCallRefused(call, 'not a container name or id');
    const found = await this.upstream('GET', `/containers/${ref}/json`);
    if (found.status !== 200) throw new UpstreamStatus(found.status, found.body);
    const info = JSON.parse(found.body) as ContainerInfo;
    const labels = info.Config?.Labels ?? {};
    if (!FULL_ID.test(info.Id) || labels['shoal.agent'] !== this.rules.agentId || labels['shoal.managed'] !== 'true') {
      throw new DockerCallRefused(call, `the container ${JSON.stringify(ref.slice(0, 80))} is not one of ${this.rules.agentId}'s training containers`);
    }
    return info;
  }

  private upstream(method: string, path: string): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.options.upstream, method, path, headers: { host: 'docker' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Streams the engine's answer back (wait, logs and events can last); a client that goes away ends the call. */
  private forward(req: IncomingMessage, res: ServerResponse, method: string, path: string, body?: string): void {
    const headers: Record<string, string | number> = { host: 'docker' };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    this.logger.debug({ call: `${method} ${path.slice(0, 120)}` }, 'forwarding a Docker call');
    const onward = request({ socketPath: this.options.upstream, method, path, headers }, (answerStream) => {
      res.writeHead(answerStream.statusCode ?? 502, answerStream.headers);
      answerStream.pipe(res);
    });
    onward.on('error', (err) => {
      if (!res.headersSent) answer(res, 502, JSON.stringify({ message: `the sandbox proxy could not reach the engine: ${errorMessage(err)}`, code: 'DOCKER_PROXY_FAILED' }));
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) onward.destroy();
    });
    req.resume();
    onward.end(body);
  }
}

function answer(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new DockerCallRefused('container create', `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DockerCallRefused('container create', 'the body is not JSON');
  }
}

/** Docker's filters parameter ({"key": ["value", …]}), with only the keys the call may use. */
function parseFilters(call: string, raw: string | undefined, allowed: readonly string[]): Record<string, string[] | undefined> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new DockerCallRefused(call, 'the filters are not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DockerCallRefused(call, 'the filters are not an object');
  const filters: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(parsed)) {
    if (!allowed.includes(key)) throw new DockerCallRefused(call, `the filter ${JSON.stringify(key)} is not one the sandbox uses`);
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) throw new DockerCallRefused(call, `the filter ${JSON.stringify(key)} must be a list of strings`);
    filters[key] = values as string[];
  }
  return filters;
}
