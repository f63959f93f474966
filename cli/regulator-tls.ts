/**
 * The regulator's own certificate, kept in the authority folder as
 * `shoal pki issue --org <requester> --role regulator` leaves it: the CLI and
 * the coordinators it launches connect to NATS with it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../common/errors';
import type { TlsFiles } from '../common/pki';

export function regulatorTls(pkiDir: string, regulatorId: string): TlsFiles {
  const files = { ca: join(pkiDir, 'ca.crt.pem'), cert: join(pkiDir, `${regulatorId}.regulator.crt.pem`), key: join(pkiDir, `${regulatorId}.regulator.key.pem`), crl: join(pkiDir, 'crl.pem') };
  for (const path of [files.ca, files.cert, files.key]) {
    if (!existsSync(path)) throw new ConfigError(`--pki: ${path} does not exist; issue the regulator's certificate with \`shoal pki issue --org ${regulatorId} --role regulator --dir ${pkiDir}\``, { path });
  }
  return files;
}
