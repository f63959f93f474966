import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { thrownShoalError } from '../../common/testing/thrown-shoal-error';
import { AGENT_CONTEXT, COORDINATOR_CONTEXT, findRepositoryRoot, imageContextEntries, planImageContext, stageImageContext, TRAINER_CONTEXT, type ImageContextSpec } from './image-context';
import { planTrainerContext } from './trainer-context';

const SPEC: ImageContextSpec = {
  name: 'shoal-test',
  dockerfile: 'images/test.Dockerfile',
  entries: ['dist/app/main.js', 'dist/app/other.js'],
  assets: [{ dir: 'proto/shoal', extensions: ['.proto'] }],
  contextLabel: 'shoal.image-context',
  missingCode: 'DIST_MISSING',
};

function write(root: string, path: string, text: string, mode?: number): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text, mode === undefined ? undefined : { mode });
}

function manifest(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name, version: '1.0.0', ...extra });
}

/** A checkout in miniature: two entries, a proto, packages with a nested one, a dev package and an excluded optional one. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'shoal-image-context-test-'));
  write(root, 'package.json', JSON.stringify({ name: 'shoal', version: '1.2.3' }));
  write(root, SPEC.dockerfile, 'FROM scratch\n');
  write(root, TRAINER_CONTEXT.dockerfile, 'FROM scratch\n');
  write(root, 'dist/app/main.js', 'const lib = require("./lib");\nconst fs = require("node:fs");\nconst path = require("path");\nrequire("alpha");\nrequire("@scope/beta/sub");\n');
  write(root, 'dist/app/lib.js', 'exports.x = 1;\n');
  write(root, 'dist/app/lib.js.map', '{}');
  write(root, 'dist/app/other.js', 'require("gamma");\n');
  write(root, 'dist/participant-agent/trainer/trainer-main.js', 'require("gamma");\n');
  write(root, 'dist/unused.js', 'require("jest");\n');
  write(root, 'proto/shoal/v1/a.proto', 'syntax = "proto3";\n');
  write(root, 'proto/shoal/v1/notes.txt', 'not a contract\n');
  write(root, 'node_modules/alpha/package.json', manifest('alpha', { dependencies: { delta: '^2' }, optionalDependencies: { '@tensorflow/tfjs-node': '^4', 'not-installed': '^1' } }));
  write(root, 'node_modules/alpha/lib/kernel.wasm', 'wasm', 0o600);
  write(root, 'node_modules/alpha/.bin/tool', '#!/bin/sh\n');
  write(root, 'node_modules/alpha/node_modules/delta/package.json', manifest('delta', { version: '2.0.0' }));
  write(root, 'node_modules/delta/package.json', manifest('delta'));
  write(root, 'node_modules/@scope/beta/package.json', manifest('@scope/beta'));
  write(root, 'node_modules/@scope/beta/sub.js', '');
  write(root, 'node_modules/gamma/package.json', manifest('gamma'));
  write(root, 'node_modules/jest/package.json', manifest('jest'));
  write(root, 'node_modules/@tensorflow/tfjs-node/package.json', manifest('@tensorflow/tfjs-node'));
  return root;
}

describe('planImageContext', () => {
  let root: string;
  beforeEach(() => {
    root = fixture();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('follows require() from every entry, takes the assets and the packages needed, and nothing else', () => {
    const plan = planImageContext(SPEC, root);

    expect(plan.distFiles).toEqual(['dist/app/lib.js', 'dist/app/lib.js.map', 'dist/app/main.js', 'dist/app/other.js']);
    expect(plan.assetFiles).toEqual(['proto/shoal/v1/a.proto']);
    expect(plan.packageDirs).toEqual(['node_modules/alpha', 'node_modules/gamma', 'node_modules/@scope/beta', 'node_modules/alpha/node_modules/delta']);
    expect(plan).toMatchObject({ name: 'shoal-test', version: '1.2.3', contextLabel: 'shoal.image-context' });
  });

  it('hashes the same checkout the same way, and changes with a proto file or the Dockerfile', () => {
    const first = planImageContext(SPEC, root).hash;
    expect(planImageContext(SPEC, root).hash).toBe(first);

    write(root, 'proto/shoal/v1/a.proto', 'syntax = "proto3"; // changed\n');
    const afterProto = planImageContext(SPEC, root).hash;
    write(root, SPEC.dockerfile, 'FROM scratch\nUSER 1\n');

    expect(afterProto).not.toBe(first);
    expect(planImageContext(SPEC, root).hash).not.toBe(afterProto);
  });

  it('hashes a plan without assets as the trainer context always did, so existing trainer images stay current', () => {
    const plan = planTrainerContext(root);
    const legacy = createHash('sha256').update(readFileSync(join(root, TRAINER_CONTEXT.dockerfile)));
    for (const file of plan.distFiles) legacy.update(`\0${file}\0`).update(readFileSync(join(root, file)));
    for (const dir of plan.packageDirs) {
      const { name, version } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string };
      legacy.update(`\0${dir}\0${name}@${version}`);
    }

    expect(plan.hash).toBe(legacy.digest('hex'));
    expect(plan.contextLabel).toBe('shoal.trainer-context');
  });

  it('names a missing entry, a missing dist file and a missing package with the spec code', () => {
    rmSync(join(root, 'dist/app/lib.js'));
    expect(thrownShoalError(() => planImageContext(SPEC, root), 'DIST_MISSING').message).toContain('dist/app/main.js requires ./lib');

    rmSync(join(root, 'dist/app/other.js'));
    expect(thrownShoalError(() => planImageContext(SPEC, root), 'DIST_MISSING').message).toContain('dist/app/other.js is missing');

    rmSync(join(root, 'node_modules/gamma'), { recursive: true });
    expect(thrownShoalError(() => planTrainerContext(root), 'TRAINER_DIST_MISSING').message).toContain('the package gamma');
  });
});

describe('imageContextEntries', () => {
  let root: string;
  beforeEach(() => {
    root = fixture();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists whole package folders once, without .bin, parents before their contents', () => {
    const entries = imageContextEntries(planImageContext(SPEC, root));
    const paths = entries.map((entry) => entry.path);

    expect(paths).toEqual(expect.arrayContaining(['Dockerfile', 'package.json', 'proto/shoal/v1/a.proto', 'node_modules/alpha/lib/kernel.wasm', 'node_modules/alpha/node_modules/delta/package.json', 'node_modules/@scope/beta/sub.js']));
    expect(paths.filter((path) => path === 'node_modules/alpha/node_modules/delta/package.json')).toHaveLength(1);
    expect(paths.some((path) => path.includes('.bin') || path.startsWith('node_modules/jest') || path.startsWith('node_modules/delta') || path.includes('tfjs-node'))).toBe(false);
    for (const [index, path] of paths.entries()) {
      for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) expect(paths.indexOf(dir)).toBeLessThan(index);
    }
    expect(entries.find((entry) => entry.path === 'node_modules/alpha/lib/kernel.wasm')?.mode).toBe(0o600);
  });

  it('stages to a folder as the engine would unpack it', () => {
    const out = mkdtempSync(join(tmpdir(), 'shoal-image-context-staged-'));
    try {
      stageImageContext(planImageContext(SPEC, root), out);

      expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toEqual({ name: 'shoal-test', version: '1.2.3', private: true });
      expect(readFileSync(join(out, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n');
      expect(statSync(join(out, 'node_modules/alpha/lib/kernel.wasm')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(out, 'node_modules/alpha/.bin'))).toBe(false);
      expect(existsSync(join(out, 'dist/unused.js'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

// Plans the real images from this checkout's dist/ (`npm test` builds it first).
const checkout = findRepositoryRoot(__dirname);
const built = AGENT_CONTEXT.entries.concat(COORDINATOR_CONTEXT.entries).every((entry) => existsSync(join(checkout, entry)));
(built ? describe : describe.skip)('the agent and coordinator contexts of this checkout (needs npm run build)', () => {
  const devDependencies = Object.keys((JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);

  it.each([
    ['agent', AGENT_CONTEXT, ['dist/participant-agent/main.js', 'dist/cli/shoal.js', 'dist/participant-agent/sandbox-proxy/main.js', 'dist/participant-agent/trainer/trainer-main.js', 'dist/common/grpc/proto.js']],
    ['coordinator', COORDINATOR_CONTEXT, ['dist/cli/shoal.js', 'dist/coordinator/main.js', 'dist/aggregator/main.js', 'dist/common/grpc/proto.js']],
  ])('%s: the entries, the proto contracts, the web console and the runtime packages, no dev packages', (_kind, spec, dist) => {
    const plan = planImageContext(spec as ImageContextSpec, checkout);

    expect(plan.distFiles).toEqual(expect.arrayContaining(dist as string[]));
    const consolePage = ['organisation.css', 'organisation.html', 'organisation.js', 'regulator.css', 'regulator.html', 'regulator.js'].map((f) => `dist/console/web/${f}`);
    expect(plan.assetFiles).toEqual([...consolePage, 'proto/shoal/v1/aggregator.proto', 'proto/shoal/v1/coordinator.proto', 'proto/shoal/v1/secure_aggregation.proto', 'proto/shoal/v1/vector.proto']);
    expect(plan.packageDirs).toEqual(
      expect.arrayContaining(['node_modules/@grpc/grpc-js', 'node_modules/@grpc/proto-loader', 'node_modules/nats', 'node_modules/dockerode', 'node_modules/@peculiar/x509', 'node_modules/commander', 'node_modules/@tensorflow/tfjs-backend-wasm']),
    );
    for (const dev of [...devDependencies.filter((name) => !name.startsWith('@types/')), '@tensorflow/tfjs-node']) {
      expect(plan.packageDirs).not.toContain(`node_modules/${dev}`);
    }
    expect(plan.distFiles.some((file) => file.endsWith('.test.js') || file.startsWith('dist/test/'))).toBe(false);
  });
});
