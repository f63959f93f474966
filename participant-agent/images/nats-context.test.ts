import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrownShoalError } from '../../common/testing/thrown-shoal-error';
import { findNatsServerBinary, librariesMissingFromLocalBase, NATS_BINARY_ENV, NATS_DOCKERFILE, natsContextEntries, planNatsContext } from './nats-context';

describe('the NATS image context', () => {
  let root: string;
  let binary: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-nats-context-test-'));
    mkdirSync(join(root, 'participant-agent', 'images'), { recursive: true });
    writeFileSync(join(root, NATS_DOCKERFILE), 'FROM scratch\n');
    // A stand-in for the Go binary: answers --version the way nats-server does (a script, so ldd names no libraries).
    binary = join(root, 'nats-server');
    writeFileSync(binary, '#!/bin/sh\necho "nats-server: v2.9.99"\n', { mode: 0o755 });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the version, hashes the Dockerfile with the binary and lists both as the context', () => {
    const plan = planNatsContext(binary, root);

    expect(plan).toMatchObject({ binary, version: '2.9.99', libraries: [], contextLabel: 'shoal.image-context' });
    expect(plan.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(natsContextEntries(plan)).toEqual([
      { type: 'file', path: 'Dockerfile', mode: 0o644, source: join(root, NATS_DOCKERFILE) },
      { type: 'file', path: 'nats-server', mode: 0o755, source: binary },
    ]);
    writeFileSync(binary, '#!/bin/sh\necho "nats-server: v2.9.100"\n', { mode: 0o755 });
    expect(planNatsContext(binary, root).hash).not.toBe(plan.hash);
  });

  it('names the libraries a base made from node would lack', () => {
    const plan = { ...planNatsContext(binary, root), libraries: ['/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libresolv.so.2'] };

    expect(librariesMissingFromLocalBase(plan, ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'])).toEqual(['/lib/x86_64-linux-gnu/libresolv.so.2']);
  });

  it('takes the binary from the environment, and says so when it is not there', () => {
    expect(findNatsServerBinary({ [NATS_BINARY_ENV]: binary })).toBe(binary);
    expect(thrownShoalError(() => findNatsServerBinary({ [NATS_BINARY_ENV]: join(root, 'nope') }), 'NATS_BINARY_MISSING').message).toContain(NATS_BINARY_ENV);
  });

  it('refuses a binary that does not answer --version', () => {
    writeFileSync(binary, '#!/bin/sh\nexit 3\n', { mode: 0o755 });

    thrownShoalError(() => planNatsContext(binary, root), 'NATS_BINARY_MISSING');
  });
});
