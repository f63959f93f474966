/**
 * Small helpers that every gRPC client and server here needs: deadlines,
 * promise-shaped unary calls, back-pressured stream writes, and binding a
 * server to a port (0 in tests) and reading the real one back.
 */
import * as grpc from '@grpc/grpc-js';
import { SERVER_OPTIONS } from './proto';

export function deadlineAfter(ms: number): Date {
  return new Date(Date.now() + ms);
}

type UnaryMethod<Req, Res> = (request: Req, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/** Calls a unary method with a deadline. Always pass a bound method (`client.join.bind(client)`). */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, timeoutMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, { deadline: deadlineAfter(timeoutMs) }, (err, response) => {
      if (err) reject(err);
      else if (response === undefined) reject(new Error('empty response'));
      else resolve(response);
    });
  });
}

/** Writes one message, waiting for the stream to drain when its buffer is full. */
export function writeMessage<T>(stream: { write(message: T): boolean; once(event: 'drain', listener: () => void): unknown }, message: T): Promise<void> {
  if (stream.write(message)) return Promise.resolve();
  return new Promise((resolve) => stream.once('drain', resolve));
}

/** Starts a server on host:port (port 0 picks a free one) and returns the bound port. */
export function startServer(
  register: (server: grpc.Server) => void,
  host: string,
  port: number,
  credentials: grpc.ServerCredentials,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server(SERVER_OPTIONS);
  register(server);
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (err, boundPort) => {
      if (err) reject(err);
      else resolve({ server, port: boundPort });
    });
  });
}

/** Graceful shutdown, forced after `graceMs` so a stuck stream cannot keep a process alive. */
export function stopServer(server: grpc.Server, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
