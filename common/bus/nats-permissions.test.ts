import { certificateUser, natsServerConfig, regulatorInboxPrefix } from './nats-permissions';

const config = natsServerConfig({
  host: '0.0.0.0',
  port: 4222,
  tls: { ca: '/pki/ca.crt.pem', cert: '/pki/nats.broker.crt.pem', key: '/pki/nats.broker.key.pem' },
  parties: [{ orgId: 'bank-1', role: 'participant' }, { orgId: 'regulator', role: 'regulator' }, { orgId: 'job-1', role: 'coordinator' }],
  observers: [{ orgId: 'monitor', role: 'regulator' }],
});

function userLine(user: string): string {
  const line = config.split('\n').find((l) => l.includes(`user: "${user}"`));
  if (!line) throw new Error(`no user ${user} in:\n${config}`);
  return line;
}

describe('the NATS server configuration', () => {
  it('demands a client certificate from the CA and maps its subject to a user', () => {
    expect(config).toContain('verify_and_map: true');
    expect(config).toContain('ca_file: "/pki/ca.crt.pem"');
    expect(certificateUser({ orgId: 'bank-1', role: 'participant' })).toBe('CN=bank-1,OU=participant,O=Shoal');
  });

  it('lets a participant read only its own offers and publish only its own decisions and audit heads', () => {
    expect(userLine('CN=bank-1,OU=participant,O=Shoal')).toBe(
      '    { user: "CN=bank-1,OU=participant,O=Shoal", permissions: { publish: { allow: ["shoal.jobs.*.decisions.bank-1", "shoal.jobs.*.audit-heads.bank-1"] }, subscribe: { allow: ["shoal.offers.bank-1"] }, allow_responses: true } }',
    );
    expect(userLine('CN=bank-1,OU=participant,O=Shoal')).not.toContain('_INBOX');
  });

  it("lets the regulator publish job subjects and read only its own inboxes", () => {
    const line = userLine('CN=regulator,OU=regulator,O=Shoal');
    expect(line).toContain(`"${regulatorInboxPrefix('regulator')}.>"`);
    expect(line).toContain('publish: { allow: ["shoal.>"] }');
    expect(line).not.toContain('"_INBOX.>"');
  });

  it('gives observers read-only access and roles without bus permissions no user at all', () => {
    expect(userLine('CN=monitor,OU=regulator,O=Shoal')).toContain('publish: { deny: [">"] }, subscribe: { allow: [">"] }');
    expect(config).not.toContain('OU=coordinator');
  });
});
