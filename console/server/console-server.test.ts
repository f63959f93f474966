import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, ShoalError } from '../../common/errors';
import { thrownShoalError } from '../../common/testing/thrown-shoal-error';
import { startConsoleServer, ConsoleRequestError, type ConsoleServer } from './console-server';
import { consoleTls } from './console-settings';
import { addConsoleUser, ConsoleUsers } from './console-users';
import { LiveFeed } from './live-feed';

const PASSWORD = 'correct horse battery';
const PAGE = '<!doctype html><title>Regulator</title><p>REGULATOR-PAGE-MARKER</p>';
const SCRIPT = 'console.log("regulator bundle");\n';
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const SECURITY_HEADERS = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };
const INTERNAL = { error: { code: 'INTERNAL', message: 'the console could not do that; its log says why' } };

let dir: string;
let webDir: string;
let users: ConsoleUsers;
let live: LiveFeed;
let server: ConsoleServer;
let port: number;
let cookie: string;

function start(feed = new LiveFeed()): Promise<ConsoleServer> {
  return startConsoleServer({
    kind: 'regulator', title: 'Regulator', host: '127.0.0.1', port: 0, users, logger: pino({ level: 'silent' }), live: feed, webDir,
    errorStatus: { UNKNOWN_JOB: 404 },
    routes: (app) => {
      app.get('/api/things', async (request) => ({ user: request.consoleUser }));
      app.post('/api/things', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async (request) => request.body);
      app.post('/api/already', async () => { throw new ConsoleRequestError(409, 'ALREADY', 'already done'); });
      app.get('/api/unknown-job', async () => { throw new ShoalError('UNKNOWN_JOB', 'no job credit-9', { component: 'cli' }); });
      app.get('/api/bad-config', async () => { throw new ConfigError('spec.rounds: expected a number'); });
      app.get('/api/broken', async () => { throw new ShoalError('DISK_FULL', 'cannot write /srv/secret/path', { component: 'cli' }); });
    },
  });
}

const url = (path: string, on = server) => new URL(path, on.url).toString();
const cookieOf = (response: Response) => response.headers.getSetCookie()[0].split(';')[0];
const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const withCookie = (value = cookie) => ({ headers: { cookie: value } });

async function login(user: string, password: string, on = server): Promise<Response> {
  return fetch(url('/api/login', on), json({ user, password }));
}

/** node:http, for what fetch will not send (a Host header of our choosing) or stream (/api/live). */
function open(path: string, headers: Record<string, string>, on = port): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => httpRequest({ host: '127.0.0.1', port: on, path, headers }, resolve).on('error', reject).end());
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text;
}

/** Resolves with everything read so far once `text` has arrived on the stream. */
function readUntil(response: IncomingMessage, text: string): Promise<string> {
  let seen = '';
  return new Promise((resolve) => response.on('data', function onData(chunk: Buffer) {
    seen += chunk.toString('utf8');
    if (!seen.includes(text)) return;
    response.off('data', onData);
    resolve(seen);
  }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-console-server-'));
  webDir = join(dir, 'web');
  mkdirSync(webDir);
  writeFileSync(join(webDir, 'regulator.html'), PAGE);
  writeFileSync(join(webDir, 'regulator.js'), SCRIPT);
  writeFileSync(join(webDir, 'organisation.html'), '<p>organisation</p>');
  addConsoleUser(join(dir, 'users.yaml'), 'alice', PASSWORD);
  users = ConsoleUsers.load(join(dir, 'users.yaml'));
  live = new LiveFeed();
  server = await start(live);
  port = Number(new URL(server.url).port);
  cookie = cookieOf(await login('alice', PASSWORD));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the page and its assets', () => {
  test('GET / serves the page, without login, with the security headers', async () => {
    const response = await fetch(url('/'));

    expect(server.url).toBe(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(PAGE);
    expect(Object.fromEntries(response.headers)).toMatchObject({ ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  });

  test('the bundle is served under /assets/, and nothing outside the web folder is', async () => {
    const script = await fetch(url('/assets/regulator.js'));
    const escape = await open('/assets/%2e%2e/users.yaml', { host: `127.0.0.1:${port}` });

    expect(script.status).toBe(200);
    expect(await script.text()).toBe(SCRIPT);
    expect(Object.fromEntries(script.headers)).toMatchObject({ ...SECURITY_HEADERS, 'content-type': 'application/javascript; charset=utf-8' });
    expect(escape.statusCode).toBe(403);
    expect(await readAll(escape)).not.toContain('scrypt');
  });
});

describe('login and sessions', () => {
  test('an API call without a session is 401 LOGIN_REQUIRED, never cached', async () => {
    const response = await fetch(url('/api/things'));

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'LOGIN_REQUIRED', message: 'log in first (or again: the session ended)' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  test('a percent-encoded path reaches the same API routes and needs the same login', async () => {
    const response = await fetch(url('/%61pi/things'));

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'LOGIN_REQUIRED', message: 'log in first (or again: the session ended)' } });
  });

  test('an unknown path answers 404 in the API\'s error shape', async () => {
    const response = await fetch(url('/api/nothing-here'));

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'nothing at GET /api/nothing-here' } });
  });

  test('a wrong password and an unknown name get the same 401 LOGIN_FAILED and no cookie', async () => {
    const wrong = await login('alice', 'not the password');
    const unknown = await login('mallory', PASSWORD);

    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'LOGIN_FAILED', message: 'wrong user name or password' } });
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  test('logging in answers the session and sets an HttpOnly, SameSite=Strict cookie named for the console and port', async () => {
    const response = await login('alice', PASSWORD);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: 'alice', console: 'regulator', title: 'Regulator' });
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(new RegExp(`^shoal_regulator_${port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
  });

  test('with the cookie, routes see the user and /api/session answers SessionInfo; under another name it is no session', async () => {
    const things = await fetch(url('/api/things'), withCookie());
    const session = await fetch(url('/api/session'), withCookie());
    const renamed = await fetch(url('/api/things'), withCookie(`shoal_console=${cookie.split('=')[1]}`));

    expect(things.status).toBe(200);
    expect(await things.json()).toEqual({ user: 'alice' });
    expect(await session.json()).toEqual({ user: 'alice', console: 'regulator', title: 'Regulator' });
    expect(renamed.status).toBe(401);
  });

  test('after logout the cookie no longer works', async () => {
    const own = cookieOf(await login('alice', PASSWORD));
    expect((await fetch(url('/api/session'), withCookie(own))).status).toBe(200);

    const logout = await fetch(url('/api/logout'), json({}, { cookie: own }));

    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(new RegExp(`^shoal_regulator_${port}=; Max-Age=0; Path=/`));
    const after = await fetch(url('/api/session'), withCookie(own));
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: { code: 'LOGIN_REQUIRED', message: 'log in first (or again: the session ended)' } });
  });

  test('after five failures even the right password is refused with 429 LOGIN_THROTTLED', async () => {
    const own = await start();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await login('alice', `wrong password ${i}`, own)).status);

      const sixth = await login('alice', PASSWORD, own);

      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect(sixth.status).toBe(429);
      expect(await sixth.json()).toEqual({ error: { code: 'LOGIN_THROTTLED', message: 'too many failed logins for alice; try again in 60 s' } });
    } finally {
      await own.close();
    }
  });
});

describe('guards and error answers', () => {
  test('a JSON POST from this origin is answered; text/plain is 415; a foreign origin is 403', async () => {
    const ok = await fetch(url('/api/things'), json({ name: 'x', n: 1 }, { cookie, origin: `http://127.0.0.1:${port}` }));
    const text = await fetch(url('/api/things'), { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{"name":"x"}' });
    const foreign = await fetch(url('/api/things'), json({ name: 'x' }, { cookie, origin: 'http://evil.example' }));

    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ name: 'x', n: 1 });
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({ error: { code: 'JSON_REQUIRED', message: 'send a JSON body with Content-Type: application/json' } });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: { code: 'ORIGIN_REFUSED', message: 'a request from http://evil.example may not change anything here' } });
  });

  test('a Host header naming another server is 403 HOST_REFUSED; localhost is allowed', async () => {
    const evil = await open('/', { host: `evil.example:${port}` });
    const local = await open('/', { host: `localhost:${port}` });

    expect(evil.statusCode).toBe(403);
    expect(JSON.parse(await readAll(evil))).toEqual({ error: { code: 'HOST_REFUSED', message: `this console answers only as 127.0.0.1:${port} or localhost:${port} or [::1]:${port}` } });
    expect(local.statusCode).toBe(200);
    expect(await readAll(local)).toBe(PAGE);
  });

  test('a body that fails the route schema is 400 BAD_REQUEST naming the field', async () => {
    const response = await fetch(url('/api/things'), json({ n: 1 }, { cookie }));

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'BAD_REQUEST', message: "body must have required property 'name'" } });
  });

  test.each([
    ['a ConsoleRequestError answers its own status and code', 'POST', '/api/already', 409, { error: { code: 'ALREADY', message: 'already done' } }],
    ['a ShoalError whose code errorStatus maps', 'GET', '/api/unknown-job', 404, { error: { code: 'UNKNOWN_JOB', message: 'no job credit-9' } }],
    ['CONFIG_INVALID, unmapped, is 400', 'GET', '/api/bad-config', 400, { error: { code: 'CONFIG_INVALID', message: 'spec.rounds: expected a number' } }],
    ['any other code is 500 INTERNAL, without the original message', 'GET', '/api/broken', 500, INTERNAL],
  ])('%s', async (_what, method, path, status, body) => {
    const init = method === 'POST' ? json({}, { cookie }) : withCookie();

    const response = await fetch(url(path), init);

    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(body);
  });
});

describe('the live stream', () => {
  test('without a session it is 401', async () => {
    const response = await fetch(url('/api/live'));

    expect(response.status).toBe(401);
  });

  test('a published message arrives as a data: line, and a closed stream stops listening', async () => {
    const stream = await open('/api/live', { host: `127.0.0.1:${port}`, cookie });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers).toMatchObject({ ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    expect(await readUntil(stream, '\n\n')).toBe('retry: 2000\n\n');
    expect(live.listening).toBe(1);

    const arrived = readUntil(stream, '\n\n');
    live.publish({ kind: 'changed', views: ['queue', 'audit'] });

    expect(await arrived).toBe('data: {"kind":"changed","views":["queue","audit"]}\n\n');
    stream.destroy();
    while (live.listening > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  });

  test('close() ends open streams and stops the server', async () => {
    const feed = new LiveFeed();
    const own = await start(feed);
    const ownPort = Number(new URL(own.url).port);
    const ownCookie = cookieOf(await login('alice', PASSWORD, own));
    const stream = await open('/api/live', { host: `127.0.0.1:${ownPort}`, cookie: ownCookie }, ownPort);
    const ended = readAll(stream);

    await own.close();

    expect(await ended).toBe('retry: 2000\n\n');
    expect(feed.listening).toBe(0);
    await expect(fetch(url('/', own))).rejects.toThrow('fetch failed');
  });
});

describe('consoleTls', () => {
  test('refuses a non-loopback address without TLS, naming the setting', () => {
    const err = thrownShoalError(() => consoleTls('0.0.0.0', undefined, 'x'), 'CONFIG_INVALID');

    expect(err.message).toBe('x: the console binds 0.0.0.0, which is not loopback, so it needs a certificate and key to serve HTTPS (passwords must not cross the network in the clear)');
  });

  test.each(['127.0.0.1', 'localhost', '::1'])('serves loopback %s without TLS', (host) => {
    expect(consoleTls(host, undefined, 'x')).toBeUndefined();
  });

  test('reads the certificate and key, and names a file it cannot read', () => {
    const [cert, key, missing] = ['cert.pem', 'key.pem', 'nope.pem'].map((name) => join(dir, name));
    writeFileSync(cert, 'CERT');
    writeFileSync(key, 'KEY');

    expect(consoleTls('10.0.0.5', { cert, key }, 'console')).toEqual({ cert: 'CERT', key: 'KEY' });
    const err = thrownShoalError(() => consoleTls('10.0.0.5', { cert, key: missing }, 'console'), 'CONFIG_INVALID');
    // errorMessage() sees fs errors as foreign under jest's VM and writes "Error: " before them, hence a pattern.
    expect(err.message).toMatch(new RegExp(`^console: cannot read the console's TLS key ${missing}: (Error: )?ENOENT: no such file or directory, open '${missing}'$`));
  });
});
