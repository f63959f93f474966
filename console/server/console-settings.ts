/**
 * Where a console listens and who may log in: the `console:` section of an
 * agent config, and the options of `shoal console serve`. Loopback by
 * default; any other address must serve HTTPS, since passwords and session
 * cookies would otherwise cross the network in the clear.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../../common/errors';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

export const consoleSettingsSchema = z.strictObject({
  /** The address to bind; loopback unless the console serves HTTPS. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (it is logged). */
  port: z.number().int().min(0).max(65535).default(7070),
  /** The users file written by `shoal console add-user`. */
  users: z.string().min(1),
  /** A certificate and key (PEM files) to serve HTTPS. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
});

export type ConsoleSettings = z.output<typeof consoleSettingsSchema>;

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.includes(host);
}

/** The PEM contents of `tls`, refusing a non-loopback address without it. `where` names the setting in messages. */
export function consoleTls(host: string, tls: { cert: string; key: string } | undefined, where: string): { cert: string; key: string } | undefined {
  if (!tls) {
    if (!isLoopback(host)) throw new ConfigError(`${where}: the console binds ${host}, which is not loopback, so it needs a certificate and key to serve HTTPS (passwords must not cross the network in the clear)`);
    return undefined;
  }
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`${where}: cannot read the console's TLS ${what} ${path}: ${errorMessage(err)}`);
    }
  };
  return { cert: read(tls.cert, 'certificate'), key: read(tls.key, 'key') };
}
