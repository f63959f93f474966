/**
 * Names the Docker API call a request makes, from its method and URL, or
 * refuses it. Only the calls the Docker sandbox makes (docker-sandbox.ts,
 * through dockerode) have a name; everything else (exec, attach, build,
 * pull, volumes, networks, the swarm, container updates and archives, …)
 * is refused here, before anything reaches the engine. Each call keeps only
 * the query parameters it is known to take, so what is forwarded is exactly
 * what was checked.
 */
import { DockerCallRefused } from './errors';

export type ContainerAction = 'start' | 'wait' | 'inspect' | 'logs' | 'kill' | 'remove';

export type DockerCall =
  | { kind: 'ping' | 'version' | 'container-create' | 'container-list' | 'events'; query: Record<string, string>; version: string }
  | { kind: 'image-inspect'; image: string; query: Record<string, string>; version: string }
  | { kind: 'container'; action: ContainerAction; container: string; query: Record<string, string>; version: string };

/** Characters a path may hold: no percent-encoding, so the engine reads the path the proxy checked. */
const PATH_CHARS = /^[A-Za-z0-9/_.:@-]+$/;
const API_VERSION = /^\/(v[0-9]{1,2}\.[0-9]{1,3})(\/.*)$/;
const CONTAINER_REF = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,254}$/;

const CONTAINER_ACTIONS: Record<string, { action: ContainerAction; query: string[] }> = {
  'POST start': { action: 'start', query: [] },
  'POST wait': { action: 'wait', query: ['condition'] },
  'GET json': { action: 'inspect', query: ['size'] },
  'GET logs': { action: 'logs', query: ['stdout', 'stderr', 'follow', 'tail', 'timestamps', 'since', 'until'] },
  'POST kill': { action: 'kill', query: ['signal'] },
};

function describe(method: string, url: string): string {
  return `${method} ${url.length > 120 ? `${url.slice(0, 117)}...` : url}`;
}

/** The query as single values, refusing parameters the call does not take and repeated ones (engines and proxies may pick different copies). */
function pickQuery(call: string, params: URLSearchParams, allowed: readonly string[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of params) {
    if (!allowed.includes(key)) throw new DockerCallRefused(call, `the query parameter ${JSON.stringify(key)} is not one the sandbox uses`);
    if (key in query) throw new DockerCallRefused(call, `the query parameter ${JSON.stringify(key)} is repeated`);
    query[key] = value;
  }
  return query;
}

/**
 * dockerode repeats the whole create body in the query string; the engine
 * reads only `name` (and `platform`) there. Only the name is kept and
 * forwarded; the rest never reaches the engine, so it needs no check.
 */
function createQuery(call: string, params: URLSearchParams): Record<string, string> {
  const names = params.getAll('name');
  if (names.length > 1) throw new DockerCallRefused(call, 'the query parameter "name" is repeated');
  return names.length === 1 ? { name: names[0] } : {};
}

export function classifyDockerCall(method: string, url: string): DockerCall {
  const call = describe(method, url);
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!PATH_CHARS.test(rawPath) || rawPath.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new DockerCallRefused(call, 'the path holds characters or segments the sandbox never sends');
  }
  const params = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  const versioned = API_VERSION.exec(rawPath);
  const version = versioned ? versioned[1] : '';
  const path = versioned ? versioned[2] : rawPath;
  const segments = path.split('/').slice(1);
  const refuse = (): never => {
    throw new DockerCallRefused(call, 'the sandbox makes no such call (the proxy lets through only creating, running and removing this organisation’s training containers)');
  };

  if ((method === 'GET' || method === 'HEAD') && path === '/_ping') return { kind: 'ping', query: pickQuery(call, params, []), version };
  if (method === 'GET' && path === '/version') return { kind: 'version', query: pickQuery(call, params, []), version };
  if (method === 'POST' && path === '/containers/create') return { kind: 'container-create', query: createQuery(call, params), version };
  if (method === 'GET' && path === '/containers/json') return { kind: 'container-list', query: pickQuery(call, params, ['all', 'filters', 'limit', 'size']), version };
  if (method === 'GET' && path === '/events') return { kind: 'events', query: pickQuery(call, params, ['since', 'until', 'filters']), version };
  if (method === 'GET' && segments[0] === 'images' && segments.length >= 3 && segments[segments.length - 1] === 'json') {
    const image = segments.slice(1, -1).join('/');
    if (!IMAGE_REF.test(image)) refuse();
    return { kind: 'image-inspect', image, query: pickQuery(call, params, []), version };
  }
  if (segments[0] === 'containers' && segments.length >= 2 && CONTAINER_REF.test(segments[1])) {
    const container = segments[1];
    if (segments.length === 2 && method === 'DELETE') return { kind: 'container', action: 'remove', container, query: pickQuery(call, params, ['force', 'v']), version };
    const action = segments.length === 3 ? CONTAINER_ACTIONS[`${method} ${segments[2]}`] : undefined;
    if (action) return { kind: 'container', action: action.action, container, query: pickQuery(call, params, action.query), version };
  }
  return refuse();
}

/** The path to forward: rebuilt from the named call, with the container's full id where the call names one. */
export function forwardPath(call: DockerCall, containerId?: string): string {
  const prefix = call.version ? `/${call.version}` : '';
  const query = new URLSearchParams(call.query).toString();
  const suffix = query ? `?${query}` : '';
  switch (call.kind) {
    case 'ping':
      return `${prefix}/_ping${suffix}`;
    case 'version':
      return `${prefix}/version${suffix}`;
    case 'container-create':
      return `${prefix}/containers/create${suffix}`;
    case 'container-list':
      return `${prefix}/containers/json${suffix}`;
    case 'events':
      return `${prefix}/events${suffix}`;
    case 'image-inspect':
      return `${prefix}/images/${call.image}/json${suffix}`;
    case 'container': {
      const id = containerId ?? call.container;
      const tail = { start: '/start', wait: '/wait', inspect: '/json', logs: '/logs', kill: '/kill', remove: '' }[call.action];
      return `${prefix}/containers/${id}${tail}${suffix}`;
    }
  }
}
