/**
 * The HTTP server both consoles share: the page and its bundled assets, login
 * and sessions, the live stream, security headers and error answers. Each
 * console adds its own API routes (the regulator's in cli/console/, an
 * organisation's in participant-agent/console/).
 *
 * Guards, in order: the Host header must name this server (so a web page
 * elsewhere cannot reach a localhost console through DNS rebinding); every
 * /api/ call except login needs a session cookie (HttpOnly, SameSite=Strict);
 * every call that changes something must be JSON from this origin, which a
 * form on another site cannot send.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ShoalError } from '../../common/errors';
import type { ApiError, ConsoleKind, LoginRequest, SessionInfo } from '../api';
import { ConsoleSessions, LoginThrottle } from './console-sessions';
import type { ConsoleUsers } from './console-users';
import type { LiveFeed } from './live-feed';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user; '' only on the login route and the page itself. */
    consoleUser: string;
  }
}

export interface ConsoleServerOptions {
  kind: ConsoleKind;
  /** The page heading: "Regulator", or the organisation's id. */
  title: string;
  host: string;
  /** 0 picks a free port; the real one is in ConsoleServer.url. */
  port: number;
  /** PEM certificate and key: serve HTTPS (needed for any address other than loopback). */
  tls?: { cert: string; key: string };
  users: ConsoleUsers;
  logger: Logger;
  live: LiveFeed;
  /** Adds the console's own /api/ routes; handlers read `request.consoleUser`. */
  routes: (app: FastifyInstance) => void;
  /** HTTP status for the codes of ShoalErrors the routes throw; other codes answer 500. */
  errorStatus?: Record<string, number>;
  /** Where the built page and assets are (default: dist/console/web). */
  webDir?: string;
}

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

/** An answer other than success that a route chooses, with its HTTP status. */
export class ConsoleRequestError extends ShoalError {
  constructor(readonly status: number, code: string, message: string) {
    super(code, message, { component: 'console' });
    this.name = 'ConsoleRequestError';
  }
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const HEARTBEAT_MS = 15_000;

/** dist/console/web next to this file once built; from the sources (ts-jest), the built copy under dist/. */
export function defaultWebDir(): string {
  const candidates = [join(__dirname, '..', 'web'), join(__dirname, '..', '..', 'dist', 'console', 'web')];
  const built = candidates.find((dir) => existsSync(join(dir, 'regulator.js')));
  if (!built) throw new ShoalError('CONSOLE_NOT_BUILT', `the console's web files are not built (looked in ${candidates.join(' and ')}); run \`npm run build\``, { component: 'console' });
  return built;
}

function errorBody(code: string, message: string): ApiError {
  return { error: { code, message } };
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const webDir = options.webDir ?? defaultWebDir();
  const page = readFileSync(join(webDir, `${options.kind}.html`));
  const logger = options.logger.child({ component: `${options.kind}-console` });
  const sessions = new ConsoleSessions();
  const throttle = new LoginThrottle();
  const streams = new Set<FastifyReply['raw']>();
  const app = Fastify({
    https: options.tls ? { cert: options.tls.cert, key: options.tls.key } : null,
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance;
  let cookieName = 'shoal_console';
  let allowedHosts = new Set<string>();

  await app.register(fastifyCookie);
  await app.register(fastifyStatic, { root: webDir, prefix: '/assets/', index: false, decorateReply: false });
  app.decorateRequest('consoleUser', '');

  const sessionInfo = (user: string): SessionInfo => ({ user, console: options.kind, title: options.title });

  app.addHook('onRequest', async (request) => {
    // On loopback, only this console's own names: a page elsewhere cannot reach it by rebinding a name of its own to 127.0.0.1. Elsewhere TLS checks the name.
    if (LOOPBACK.has(options.host) && !allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      throw new ConsoleRequestError(403, 'HOST_REFUSED', `this console answers only as ${[...allowedHosts].join(' or ')}`);
    }
    const changes = request.method !== 'GET' && request.method !== 'HEAD';
    if (changes) {
      const origin = request.headers.origin;
      const scheme = options.tls ? 'https' : 'http';
      if (origin !== undefined && origin !== `${scheme}://${request.headers.host}`) throw new ConsoleRequestError(403, 'ORIGIN_REFUSED', `a request from ${origin} may not change anything here`);
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) throw new ConsoleRequestError(415, 'JSON_REQUIRED', 'send a JSON body with Content-Type: application/json');
    }
    // The route the router matched, not the raw URL: "/%61pi/…" reaches /api/ routes too.
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/api/') || route === '/api/login') return;
    const user = sessions.user(request.cookies[cookieName]);
    if (!user) throw new ConsoleRequestError(401, 'LOGIN_REQUIRED', 'log in first (or again: the session ended)');
    request.consoleUser = user;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if ((request.routeOptions.url ?? request.url).startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: FastifyError | ShoalError, request, reply) => {
    const shoal = err instanceof ShoalError ? err : undefined;
    const status = err instanceof ConsoleRequestError ? err.status
      : shoal ? (options.errorStatus?.[shoal.code] ?? (shoal.code === 'CONFIG_INVALID' ? 400 : 500))
        : (err as FastifyError).validation ? 400
          : (err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500 ? (err as FastifyError).statusCode! : 500;
    if (status >= 500) {
      logger.error({ err: err.message, code: err.code, url: request.url }, 'console request failed');
      return reply.status(status).send(errorBody('INTERNAL', 'the console could not do that; its log says why'));
    }
    const code = (err as FastifyError).validation ? 'BAD_REQUEST' : err.code ?? 'BAD_REQUEST';
    return reply.status(status).send(errorBody(code, err.message));
  });

  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('NOT_FOUND', `nothing at ${request.method} ${request.url.split('?')[0]}`)));

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));

  app.post('/api/login', {
    schema: { body: { type: 'object', required: ['user', 'password'], additionalProperties: false, properties: { user: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', maxLength: 1024 } } } },
  }, async (request, reply) => {
    const { user, password } = request.body as LoginRequest;
    const waitMs = throttle.waitMs(user);
    if (waitMs > 0) throw new ConsoleRequestError(429, 'LOGIN_THROTTLED', `too many failed logins for ${user}; try again in ${Math.ceil(waitMs / 1000)} s`);
    if (!options.users.verify(user, password)) {
      throttle.failed(user);
      logger.warn({ user }, 'console login refused');
      throw new ConsoleRequestError(401, 'LOGIN_FAILED', 'wrong user name or password');
    }
    throttle.succeeded(user);
    reply.setCookie(cookieName, sessions.open(user), { httpOnly: true, sameSite: 'strict', secure: Boolean(options.tls), path: '/' });
    logger.info({ user }, 'console login');
    return sessionInfo(user);
  });

  app.post('/api/logout', async (request, reply) => {
    sessions.close(request.cookies[cookieName]);
    reply.clearCookie(cookieName, { path: '/' });
    logger.info({ user: request.consoleUser }, 'console logout');
    return reply.status(204).send();
  });

  app.get('/api/session', async (request) => sessionInfo(request.consoleUser));

  app.get('/api/live', (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    raw.write('retry: 2000\n\n');
    streams.add(raw);
    const stop = options.live.listen((message) => raw.write(`data: ${JSON.stringify(message)}\n\n`));
    const heartbeat = setInterval(() => raw.write(': still here\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      stop();
      streams.delete(raw);
    });
  });

  options.routes(app);

  const address = await app.listen({ host: options.host, port: options.port });
  const port = Number(new URL(address).port);
  cookieName = `shoal_${options.kind}_${port}`;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  allowedHosts = new Set([`${hostPart}:${port}`, ...(LOOPBACK.has(options.host) ? ['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`) : [])]);
  const url = `${options.tls ? 'https' : 'http'}://${hostPart}:${port}/`;
  logger.info({ url, users: options.users.names.length }, 'console listening');
  return {
    url,
    close: async () => {
      // Live streams never end on their own; end them so the server can close.
      for (const raw of streams) raw.end();
      await app.close();
    },
  };
}
