import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { identityOfCertificate, listIssued } from '../common/pki';
import { initFederation } from './federation-init';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shoal-federation-init-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('initFederation', () => {
  test('each bank enrols by signing request: its key is made in its own folder and the CA folder never holds it', async () => {
    const layout = await initFederation({ dir: join(root, 'federation'), banks: 2, rounds: 1, natsHost: 'nats', regulatorHost: 'regulator', trainerImage: 'shoal-trainer:dev' });
    const pki = join(layout.dir, 'pki');

    // The authority's folder: its own key, the regulator's and the broker's (both run by the regulator), no bank's.
    expect(readdirSync(pki).filter((name) => name.endsWith('.key.pem')).sort()).toEqual(['ca.key.pem', 'nats.broker.key.pem', 'regulator.regulator.key.pem']);
    for (const orgId of layout.banks) {
      const bankDir = join(layout.dir, orgId);
      const keyPath = join(bankDir, `${orgId}.participant.key.pem`);
      const certPath = join(bankDir, `${orgId}.participant.crt.pem`);
      expect(readdirSync(bankDir).filter((name) => name.includes('.participant.')).sort()).toEqual([`${orgId}.participant.crt.pem`, `${orgId}.participant.csr.pem`, `${orgId}.participant.key.pem`]);
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      const certificate = new X509Certificate(readFileSync(certPath));
      expect(certificate.checkPrivateKey(createPrivateKey(readFileSync(keyPath)))).toBe(true);
      expect(certificate.verify(new X509Certificate(readFileSync(join(pki, 'ca.crt.pem'))).publicKey)).toBe(true);
      expect(identityOfCertificate(certificate.raw)).toMatchObject({ orgId, role: 'participant' });
      // The agent config names the bank's own pair.
      expect((parse(readFileSync(join(bankDir, 'agent.yaml'), 'utf8')) as { tls: unknown }).tls).toEqual({ ca: join(pki, 'ca.crt.pem'), cert: certPath, key: keyPath, crl: join(pki, 'crl.pem') });
    }
    expect(listIssued(pki).map((entry) => `${entry.orgId}.${entry.role}`).sort()).toEqual(['bank-1.participant', 'bank-2.participant', 'nats.broker', 'regulator.regulator']);
  });
});
