/** The regulator's signing key for a test: the private PEM for `shoal job submit --key`, the public line for policies. */
import { join } from 'node:path';
import { writeNewSigningKey } from '../../common/signing';

export interface RegulatorKey {
  keyPath: string;
  publicKey: string;
}

export function writeRegulatorKey(dir: string, name = 'regulator'): RegulatorKey {
  const written = writeNewSigningKey(join(dir, name), name);
  return { keyPath: written.privateKeyPath, publicKey: written.publicKey };
}
